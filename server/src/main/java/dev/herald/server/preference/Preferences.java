package dev.herald.server.preference;

import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * A user's choices: categories they turned on or off (only those they set; the rest follow the configured
 * defaults), quiet hours, their time zone (null: each device's own), a personal daily cap, the topics they
 * joined for all their devices, and the language they read (a canonical BCP 47 tag; null: each device's own).
 */
public record Preferences(Map<String, Boolean> categories, QuietHours quietHours, ZoneId timezone, Integer maxPerDay,
        List<String> topics, String locale) {
    public static final Preferences DEFAULTS = new Preferences(Map.of(), null, null, null, List.of(), null);

    public Preferences {
        categories = Map.copyOf(categories);
        topics = List.copyOf(topics);
    }
}
