package dev.herald.server.preference;

import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * A user's choices: categories they turned on or off (only those they set; the rest follow the configured
 * defaults), quiet hours, their time zone (null: each device's own), a personal daily cap, and the topics they
 * joined for all their devices.
 */
public record Preferences(Map<String, Boolean> categories, QuietHours quietHours, ZoneId timezone, Integer maxPerDay,
        List<String> topics) {
    public static final Preferences DEFAULTS = new Preferences(Map.of(), null, null, null, List.of());

    public Preferences {
        categories = Map.copyOf(categories);
        topics = List.copyOf(topics);
    }
}
