package dev.berth.runtime.sandbox;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import java.io.IOException;

/**
 * A pod config in a sandbox record's JSON: its protobuf bytes as a base64 string. Bytes rather than protobuf's JSON
 * form because they round-trip exactly, fields this berth's API version does not know included.
 */
final class PodConfigJson {

    private PodConfigJson() {
    }

    static final class Writer extends StdSerializer<PodSandboxConfig> {

        Writer() {
            super(PodSandboxConfig.class);
        }

        @Override
        public void serialize(PodSandboxConfig config, JsonGenerator json, SerializerProvider provider)
                throws IOException {
            json.writeBinary(config.toByteArray());
        }
    }

    static final class Reader extends StdDeserializer<PodSandboxConfig> {

        Reader() {
            super(PodSandboxConfig.class);
        }

        @Override
        public PodSandboxConfig deserialize(JsonParser json, DeserializationContext context) throws IOException {
            byte[] bytes = json.getBinaryValue();
            try {
                return PodSandboxConfig.parseFrom(bytes);
            } catch (InvalidProtocolBufferException e) {
                throw context.weirdStringException(json.getText(), PodSandboxConfig.class,
                        "not a serialized PodSandboxConfig: " + e.getMessage());
            }
        }
    }
}
