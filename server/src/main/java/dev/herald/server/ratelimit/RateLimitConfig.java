package dev.herald.server.ratelimit;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * Every action's {@link Limit} (an action not in the map is not limited), and how many keys each bucket map holds
 * before it forgets the least recently used.
 */
public record RateLimitConfig(Map<Action, Limit> limits, int maxKeys) {
    public RateLimitConfig {
        EnumMap<Action, Limit> all = new EnumMap<>(Action.class);
        for (Action a : Action.values()) {
            all.put(a, limits.getOrDefault(a, new Limit(Map.of())));
        }
        limits = Collections.unmodifiableMap(all);
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be at least 1");
        }
    }

    public Limit limit(Action action) {
        return limits.get(action);
    }
}
