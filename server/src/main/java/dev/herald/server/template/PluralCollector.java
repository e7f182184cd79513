package dev.herald.server.template;

import com.samskivert.mustache.BasicCollector;
import com.samskivert.mustache.Mustache;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoublePredicate;

/**
 * Reads only maps and lists (no reflection on Java objects, so a template cannot reach into the server), and gives
 * numbers their plural sections ({@code count.one}, {@code count.other}, …; see {@link TextTemplate}).
 */
final class PluralCollector extends BasicCollector {
    private static final Map<String, Mustache.VariableFetcher> PLURALS = Map.of(
            "zero", plural(n -> n == 0),
            "one", plural(n -> n == 1),
            "two", plural(n -> n == 2),
            "many", plural(n -> n >= 2),
            "other", plural(n -> n != 1));

    private static Mustache.VariableFetcher plural(DoublePredicate test) {
        return (ctx, name) -> test.test(((Number) ctx).doubleValue());
    }

    @Override
    public Mustache.VariableFetcher createFetcher(Object ctx, String name) {
        if (ctx instanceof Number) {
            Mustache.VariableFetcher plural = PLURALS.get(name);
            if (plural != null) {
                return plural;
            }
        }
        return super.createFetcher(ctx, name);
    }

    @Override
    public <K, V> Map<K, V> createFetcherCache() {
        return new ConcurrentHashMap<>();
    }
}
