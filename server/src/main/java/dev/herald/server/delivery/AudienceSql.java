package dev.herald.server.delivery;

import dev.herald.server.notification.Audience;
import dev.herald.server.preference.DeliveryGate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/** The subscriptions a stored audience selects, read in id order one page at a time. */
record AudienceSql(String where, Map<String, Object> binds, String listName, List<String> list) {

    static AudienceSql of(Audience audience) {
        return switch (audience) {
            case Audience.Users u -> new AudienceSql("user_id IN (<ids>)", Map.of(), "ids", u.userIds());
            case Audience.Subscriptions s -> new AudienceSql("id IN (<ids>)", Map.of(), "ids", s.subscriptionIds());
            case Audience.Everyone e -> new AudienceSql("1 = 1", Map.of(), null, List.of());
            case Audience.Topic t -> new AudienceSql("(id IN (SELECT subscription_id FROM subscription_topics WHERE topic = :topic) "
                    + "OR user_id IN (SELECT user_id FROM user_topics WHERE topic = :topic))", Map.of("topic", t.topic()), null, List.of());
            case Audience.Tags t -> tags(t.tags());
            case Audience.Except x -> {
                AudienceSql base = of(x.base());
                Map<String, Object> binds = new LinkedHashMap<>(base.binds());
                List<String> clauses = new ArrayList<>();
                for (int i = 0; i < x.userIds().size(); i++) {
                    binds.put("except" + i, x.userIds().get(i));
                    clauses.add(":except" + i);
                }
                yield new AudienceSql("(" + base.where() + ") AND (user_id IS NULL OR user_id NOT IN (" + String.join(", ", clauses)
                        + "))", binds, base.listName(), base.list());
            }
        };
    }

    private static AudienceSql tags(Map<String, String> tags) {
        List<String> clauses = new ArrayList<>();
        Map<String, Object> binds = new LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<String, String> e : tags.entrySet()) {
            // A subscription's own tags, or (server-owned '@' tags) its user's.
            clauses.add("(id IN (SELECT subscription_id FROM subscription_tags WHERE name = :n" + i + " AND value = :v" + i + ") "
                    + "OR user_id IN (SELECT user_id FROM user_tags WHERE name = :n" + i + " AND value = :v" + i + "))");
            binds.put("n" + i, e.getKey());
            binds.put("v" + i, e.getValue());
            i++;
        }
        return new AudienceSql(String.join(" AND ", clauses), binds, null, List.of());
    }

    List<DeliveryGate.Recipient> page(Handle h, String after, int limit) {
        Query q = h.createQuery("SELECT id, user_id, timezone FROM subscriptions WHERE id > :after AND " + where
                        + " ORDER BY id LIMIT :limit")
                .bind("after", after).bind("limit", limit);
        binds.forEach(q::bind);
        if (listName != null) {
            q.bindList(listName, list);
        }
        return q.map((rs, ctx) -> new DeliveryGate.Recipient(rs.getString("id"), rs.getString("user_id"), rs.getString("timezone")))
                .list();
    }
}
