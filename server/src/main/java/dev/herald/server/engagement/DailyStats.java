package dev.herald.server.engagement;

import java.util.List;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Update;

/**
 * Per-category statistics per UTC day of creation, for notifications that were rolled up (and may since have been
 * pruned). Rows only grow while their notifications are rolled up, and go after {@code daily-stats-retention}.
 */
public final class DailyStats {
    private static final long DAY = 86_400_000L;

    private final Jdbi jdbi;

    public DailyStats(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** 00:00 UTC of the day holding {@code epochMillis}. */
    public static long dayOf(long epochMillis) {
        return Math.floorDiv(epochMillis, DAY) * DAY;
    }

    /** Adds {@code s} to its day and category (category null or empty: none), in the caller's transaction. */
    public void add(Handle h, long day, EventStore.CategoryStats s) {
        String columns = String.join(", ", EventStore.FIGURES);
        String values = EventStore.FIGURES.stream().map(c -> ":" + c).collect(Collectors.joining(", "));
        String sums = EventStore.FIGURES.stream().map(c -> c + " = daily_stats." + c + " + excluded." + c)
                .collect(Collectors.joining(", "));
        Update insert = h.createUpdate("INSERT INTO daily_stats (day, category, " + columns + ") VALUES (:day, :category, "
                        + values + ") ON CONFLICT (day, category) DO UPDATE SET " + sums)
                .bind("day", day).bind("category", s.category() == null ? "" : s.category());
        long[] v = s.values();
        for (int i = 0; i < v.length; i++) {
            insert.bind(EventStore.FIGURES.get(i), v[i]);
        }
        insert.execute();
    }

    /** The days that start in {@code [from, to)}, summed per category ('' for none). */
    List<EventStore.CategoryStats> between(long from, long to) {
        String sums = EventStore.FIGURES.stream().map(c -> "SUM(" + c + ") AS " + c).collect(Collectors.joining(", "));
        return jdbi.withHandle(h -> h.createQuery("SELECT category, " + sums + " FROM daily_stats WHERE day >= ? AND day < ? "
                        + "GROUP BY category")
                .bind(0, from).bind(1, to)
                .map((rs, ctx) -> {
                    long[] v = new long[EventStore.FIGURES.size()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = rs.getLong(EventStore.FIGURES.get(i));
                    }
                    return EventStore.CategoryStats.of(rs.getString("category"), v);
                })
                .list());
    }

    /** Deletes the days before {@code day}; returns how many rows went. */
    public int pruneBefore(long day) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM daily_stats WHERE day < ?").bind(0, day).execute());
    }
}
