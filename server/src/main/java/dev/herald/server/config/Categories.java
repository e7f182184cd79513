package dev.herald.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Parses the {@code categories} setting: compact {@code id:on|off|critical[:Label]} items, or JSON from a file's tables. */
final class Categories {
    static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    static final Pattern TOPIC = Pattern.compile("(?=.{1,64}$)@?[a-z0-9][a-z0-9_.-]*");
    private static final String DEFAULT = "general:on:General";
    private static final String DEMO = "[{\"id\":\"posts\",\"label\":\"New posts\",\"description\":\"When someone posts in the chat\","
            + "\"default\":true},{\"id\":\"mentions\",\"label\":\"Mentions\",\"description\":\"When someone mentions you\","
            + "\"default\":true},{\"id\":\"announcements\",\"label\":\"Product news\",\"description\":\"Occasional news about "
            + "Herald Chat\",\"default\":false},{\"id\":\"account\",\"label\":\"Account and security\",\"description\":"
            + "\"Sign-ins and security alerts\",\"default\":true,\"critical\":true}]";

    private Categories() {}

    static List<Settings.Category> parse(String raw, String where, boolean demo) {
        String value = raw.isEmpty() ? (demo ? DEMO : DEFAULT) : raw;
        List<Settings.Category> out = value.startsWith("[") ? fromJson(value, where) : compact(value, where);
        if (out.isEmpty()) {
            throw new ConfigException(where + ": at least one category is needed (every notification names one)");
        }
        Set<String> seen = new java.util.HashSet<>();
        for (Settings.Category c : out) {
            if (!seen.add(c.id())) {
                throw new ConfigException(where + ": category '" + c.id() + "' is listed twice");
            }
        }
        return out;
    }

    private static List<Settings.Category> compact(String value, String where) {
        List<Settings.Category> out = new ArrayList<>();
        for (String item : value.split(",")) {
            if (item.isBlank()) {
                continue;
            }
            String[] parts = item.strip().split(":", 3);
            if (parts.length < 2 || !Set.of("on", "off", "critical").contains(parts[1])) {
                throw new ConfigException(where + ": '" + item.strip() + "' is not id:on|off|critical[:Label]");
            }
            String label = parts.length == 3 ? parts[2].strip() : capitalized(parts[0]);
            out.add(category(where, parts[0], label, "", !parts[1].equals("off"), parts[1].equals("critical"), 0));
        }
        return out;
    }

    private static List<Settings.Category> fromJson(String value, String where) {
        JsonNode array;
        try {
            array = new ObjectMapper().readTree(value);
        } catch (IOException e) {
            throw new ConfigException(where + ": not a valid list of categories");
        }
        List<Settings.Category> out = new ArrayList<>();
        for (JsonNode c : array) {
            Set<String> known = Set.of("id", "label", "description", "default", "critical", "max-per-day");
            c.fieldNames().forEachRemaining(f -> {
                if (!known.contains(f)) {
                    throw new ConfigException(where + ": unknown category field '" + f + "' (known: " + known + ")");
                }
            });
            String id = c.path("id").asText("");
            boolean critical = c.path("critical").asBoolean(false);
            if (critical && c.has("default") && !c.path("default").asBoolean()) {
                throw new ConfigException(where + ": category '" + id + "' is critical, so it cannot default to off");
            }
            int max = c.path("max-per-day").asInt(0);
            if (max < 0) {
                throw new ConfigException(where + ": category '" + id + "' max-per-day must be >= 0");
            }
            out.add(category(where, id, c.path("label").asText(capitalized(id)), c.path("description").asText(""),
                    critical || c.path("default").asBoolean(true), critical, max));
        }
        return out;
    }

    private static Settings.Category category(String where, String id, String label, String description, boolean on,
            boolean critical, int max) {
        if (!ID.matcher(id).matches()) {
            throw new ConfigException(where + ": '" + id + "' is not a category id (1-64 of a-z 0-9 _ - )");
        }
        if (label.isBlank() || label.length() > 100 || description.length() > 300) {
            throw new ConfigException(where + ": category '" + id + "' needs a label of 1-100 characters and a description of at most 300");
        }
        return new Settings.Category(id, label, description, on, critical, max);
    }

    private static String capitalized(String id) {
        return id.isEmpty() ? id : Character.toUpperCase(id.charAt(0)) + id.substring(1).replace('-', ' ').replace('_', ' ');
    }
}
