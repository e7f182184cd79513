package dev.herald.server.template;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/** Template data as plain values (maps, lists, strings, numbers, booleans), which is what templates render from. */
public final class TemplateData {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

    private TemplateData() {}

    /** A JSON object's members as plain values; null or a non-object gives an empty map. */
    public static Map<String, Object> of(JsonNode object) {
        if (object == null || !object.isObject()) {
            return Map.of();
        }
        return MAPPER.convertValue(object, MAP);
    }

    /** {@code base} with {@code over}'s members added, replacing those of the same name (one level, not deep). */
    public static Map<String, Object> merge(Map<String, ?> base, Map<String, ?> over) {
        Map<String, Object> merged = new LinkedHashMap<>(base);
        merged.putAll(over);
        return merged;
    }
}
