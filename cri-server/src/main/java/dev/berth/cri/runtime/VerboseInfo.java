package dev.berth.cri.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.error.BerthException;

/** The `verbose` info of status calls: berth's own record as JSON, what an operator debugging a pod wants. */
final class VerboseInfo {

    private static final ObjectMapper JSON = new ObjectMapper();

    private VerboseInfo() {
    }

    static String json(Object record) {
        try {
            return JSON.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw BerthException.internal("cannot render verbose info", e);
        }
    }
}
