package dev.berth.cri.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.berth.common.error.BerthException;

/**
 * The `verbose` info of status calls as JSON: berth's own records, what an operator debugging a pod or image wants.
 * The mappers are built once; they are thread-safe.
 */
public final class VerboseInfo {

    private static final ObjectMapper JSON = new ObjectMapper();
    // The effective config keeps the spelling of its TOML keys.
    private static final ObjectMapper SNAKE_CASE_JSON =
            new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    private VerboseInfo() {
    }

    public static String json(Object value) {
        return write(JSON, value);
    }

    public static String snakeCaseJson(Object value) {
        return write(SNAKE_CASE_JSON, value);
    }

    private static String write(ObjectMapper mapper, Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw BerthException.internal("cannot render verbose info", e);
        }
    }
}
