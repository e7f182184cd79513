package dev.herald.server.ratelimit;

import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;

/** An action's rates per kind of key ({@code address:600/1h,user:60/1h}); an empty one limits nothing. */
public record Limit(Map<Per, Rate> rates) {
    public Limit {
        rates = rates.isEmpty() ? Map.of() : java.util.Collections.unmodifiableMap(new EnumMap<>(rates));
    }

    /** Parses the setting's value for {@code action}; {@code ""} or {@code off}: no limit. */
    public static Limit parse(Action action, String text) {
        Map<Per, Rate> rates = new EnumMap<>(Per.class);
        String t = text.strip();
        if (t.isEmpty() || t.equals("off")) {
            return new Limit(rates);
        }
        for (String item : t.split(",")) {
            String[] parts = item.strip().split(":", 2);
            Per per = parts.length == 2 ? Per.byKey(parts[0].strip()) : null;
            if (per == null || !action.keys().contains(per)) {
                throw new IllegalArgumentException("'" + item.strip() + "' is not key:rate with key one of "
                        + action.keys().stream().map(Per::key).collect(Collectors.joining(", ")));
            }
            if (rates.put(per, Rate.parse(parts[1])) != null) {
                throw new IllegalArgumentException(per.key() + " is given twice");
            }
        }
        return new Limit(rates);
    }

    @Override
    public String toString() {
        return rates.entrySet().stream().map(e -> e.getKey().key() + ":" + e.getValue()).collect(Collectors.joining(","));
    }
}
