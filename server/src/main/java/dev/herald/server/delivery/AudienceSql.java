package dev.herald.server.delivery;

import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/** The subscriptions a stored audience selects, read in id order one page at a time. */
record AudienceSql(String where, String listName, List<String> list) {

    static AudienceSql of(dev.herald.server.notification.Audience audience) {
        return switch (audience) {
            case dev.herald.server.notification.Audience.Users u -> new AudienceSql("user_id IN (<ids>)", "ids", u.userIds());
            case dev.herald.server.notification.Audience.Subscriptions s -> new AudienceSql("id IN (<ids>)", "ids", s.subscriptionIds());
            case dev.herald.server.notification.Audience.Everyone e -> new AudienceSql("1 = 1", null, List.of());
        };
    }

    List<String> page(Handle h, String after, int limit) {
        Query q = h.createQuery("SELECT id FROM subscriptions WHERE id > :after AND " + where + " ORDER BY id LIMIT :limit")
                .bind("after", after).bind("limit", limit);
        if (listName != null) {
            q.bindList(listName, list);
        }
        return q.mapTo(String.class).list();
    }
}
