package dev.herald.server.webhook;

import dev.herald.server.common.Ids;
import dev.herald.server.http.Json;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The write side of the outbox. Which types are wanted is cached and refreshed every few seconds (and at once on
 * this node's own webhook changes), so a delivery outcome nobody listens to costs no statement at all. The cost of
 * the cache: an endpoint created on another node starts receiving events up to {@link Dispatcher#REFRESH} later.
 */
final class Outbox implements WebhookEvents {
    private final Jdbi jdbi;
    private final Clock clock;
    private final Runnable wake;
    private volatile Set<EventType> wanted = EnumSet.noneOf(EventType.class);

    Outbox(Jdbi jdbi, Clock clock, Runnable wake) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.wake = wake;
    }

    @Override
    public boolean wants(EventType type) {
        return wanted.contains(type);
    }

    @Override
    public void emit(Handle h, List<Event> events) {
        Set<EventType> now = wanted;
        PreparedBatch insert = null;
        for (Event e : events) {
            if (!now.contains(e.type())) {
                continue;
            }
            if (insert == null) {
                insert = h.prepareBatch("INSERT INTO webhook_events (event_id, type, occurred_at, data) VALUES (?, ?, ?, ?)");
            }
            insert.add("evt_" + Ids.next(clock), e.type().wire(), e.occurredAt(), Json.stringify(e.data()));
        }
        if (insert != null) {
            insert.execute();
            wake.run();
        }
    }

    /** Reloads the wanted types from the enabled endpoints. */
    void refresh() {
        Set<EventType> types = EnumSet.noneOf(EventType.class);
        jdbi.useHandle(h -> h.createQuery("SELECT events FROM webhook_endpoints WHERE disabled_at IS NULL")
                .mapTo(String.class)
                .forEach(list -> {
                    for (String name : list.split(",")) {
                        EventType.fromWire(name).ifPresent(types::add);
                    }
                }));
        wanted = types;
    }
}
