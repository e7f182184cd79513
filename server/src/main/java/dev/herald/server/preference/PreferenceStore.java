package dev.herald.server.preference;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.herald.server.common.Zones;
import dev.herald.server.http.Json;
import java.io.IOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/** Preferences, user-level topics, and the ledger of sends that frequency caps count. */
public final class PreferenceStore {
    private final Jdbi jdbi;
    private final Clock clock;

    public PreferenceStore(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    public Preferences get(String userId) {
        return jdbi.withHandle(h -> forUsers(h, List.of(userId)).getOrDefault(userId, Preferences.DEFAULTS));
    }

    public void put(String userId, Preferences p) {
        jdbi.useTransaction(h -> {
            h.createUpdate("INSERT INTO preferences (user_id, categories, quiet_start, quiet_end, timezone, max_per_day, locale, "
                            + "updated_at) VALUES (:u, :c, :qs, :qe, :tz, :max, :locale, :now) ON CONFLICT (user_id) DO UPDATE SET "
                            + "categories = excluded.categories, quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end, "
                            + "timezone = excluded.timezone, max_per_day = excluded.max_per_day, locale = excluded.locale, "
                            + "updated_at = excluded.updated_at")
                    .bind("locale", p.locale())
                    .bind("u", userId).bind("c", Json.stringify(p.categories()))
                    .bind("qs", p.quietHours() == null ? null : p.quietHours().start().toString())
                    .bind("qe", p.quietHours() == null ? null : p.quietHours().end().toString())
                    .bind("tz", p.timezone() == null ? null : p.timezone().getId()).bind("max", p.maxPerDay())
                    .bind("now", clock.millis()).execute();
            // Server-owned topics ('@…', set with a manage key) are not the user's to replace.
            h.createUpdate("DELETE FROM user_topics WHERE user_id = ? AND topic NOT LIKE '@%'").bind(0, userId).execute();
            if (!p.topics().isEmpty()) {
                PreparedBatch insert = h.prepareBatch("INSERT INTO user_topics (topic, user_id) VALUES (:t, :u)");
                p.topics().forEach(t -> insert.bind("t", t).bind("u", userId).add());
                insert.execute();
            }
        });
    }

    /** The stored preferences of each of {@code userIds} that has any; for fan-out, inside its transaction. */
    public Map<String, Preferences> forUsers(Handle h, Collection<String> userIds) {
        Map<String, Preferences> out = new HashMap<>();
        if (userIds.isEmpty()) {
            return out;
        }
        Map<String, List<String>> topics = new HashMap<>();
        h.createQuery("SELECT user_id, topic FROM user_topics WHERE user_id IN (<ids>) AND topic NOT LIKE '@%' "
                        + "ORDER BY topic")
                .bindList("ids", new ArrayList<>(userIds))
                .map((rs, ctx) -> Map.entry(rs.getString("user_id"), rs.getString("topic")))
                .forEach(e -> topics.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        h.createQuery("SELECT user_id, categories, quiet_start, quiet_end, timezone, max_per_day, locale FROM preferences WHERE user_id IN (<ids>)")
                .bindList("ids", new ArrayList<>(userIds))
                .map((rs, ctx) -> Map.entry(rs.getString("user_id"), map(rs, topics.getOrDefault(rs.getString("user_id"), List.of()))))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        topics.forEach((user, list) -> out.putIfAbsent(user, new Preferences(Map.of(), null, null, null, list, null)));
        return out;
    }

    /** A send counted against caps: one per (user, notification). */
    public record Sent(String userId, String notificationId, String category, long dueAt) {}

    /** Ledger entries of {@code userIds} due within {@code [from, to]}. */
    public List<Sent> ledger(Handle h, Collection<String> userIds, long from, long to) {
        if (userIds.isEmpty()) {
            return List.of();
        }
        return h.createQuery("SELECT user_id, notification_id, category, due_at FROM send_ledger WHERE user_id IN (<ids>) "
                        + "AND due_at BETWEEN :from AND :to")
                .bindList("ids", new ArrayList<>(userIds)).bind("from", from).bind("to", to)
                .map((rs, ctx) -> new Sent(rs.getString("user_id"), rs.getString("notification_id"), rs.getString("category"),
                        rs.getLong("due_at")))
                .list();
    }

    public void recordSends(Handle h, Collection<Sent> sends) {
        if (sends.isEmpty()) {
            return;
        }
        PreparedBatch insert = h.prepareBatch("INSERT INTO send_ledger (user_id, notification_id, category, due_at) "
                + "VALUES (:u, :n, :c, :at) ON CONFLICT DO NOTHING");
        sends.forEach(s -> insert.bind("u", s.userId()).bind("n", s.notificationId()).bind("c", s.category()).bind("at", s.dueAt()).add());
        insert.execute();
    }

    /** Drops ledger entries too old to count against any cap. */
    public int pruneLedger() {
        long horizon = clock.millis() - 3 * 86_400_000L;
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM send_ledger WHERE due_at < ?").bind(0, horizon).execute());
    }

    private static Preferences map(ResultSet rs, List<String> topics) throws SQLException {
        Map<String, Boolean> categories;
        try {
            categories = Json.MAPPER.readValue(rs.getString("categories"), new TypeReference<Map<String, Boolean>>() {});
        } catch (IOException e) {
            categories = Map.of();
        }
        String start = rs.getString("quiet_start");
        String end = rs.getString("quiet_end");
        QuietHours quiet = start == null || end == null ? null : new QuietHours(LocalTime.parse(start), LocalTime.parse(end));
        Integer max = rs.getInt("max_per_day");
        if (rs.wasNull()) {
            max = null;
        }
        return new Preferences(categories, quiet, Zones.stored(rs.getString("timezone")), max, topics, rs.getString("locale"));
    }
}
