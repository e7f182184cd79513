package dev.herald.server.engagement;

import java.time.Clock;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * What browsers' outboxes reported about their replays, per device (table {@code outbox_replays}): written by
 * {@link ReplayRoutes}, read by the console's device timeline, pruned with the engagement events.
 */
public final class OutboxReplays {
    /** One attempt to send one queued action, as the browser reported it. */
    public record Replay(String mutationId, int attempt, Outcome outcome, Integer status, String method, String path, long at) {}

    /** What became of an attempt; the names are the API's. */
    public enum Outcome {
        SENT("sent"), CONFLICT("conflict"), REJECTED("rejected"), RETRY("retry"), NETWORK_ERROR("network-error"),
        EXPIRED("expired"), GAVE_UP("gave-up"), CORRUPT("corrupt");

        private final String id;

        Outcome(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        static java.util.Optional<Outcome> of(String id) {
            return java.util.Arrays.stream(values()).filter(o -> o.id.equals(id)).findFirst();
        }

        static String names() {
            return String.join(", ", java.util.Arrays.stream(values()).map(Outcome::id).toList());
        }
    }

    private final Jdbi jdbi;
    private final Clock clock;

    OutboxReplays(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    /** Records the replays of one device; repeats of an attempt's outcome are ignored. Returns how many were new. */
    int record(String subscriptionId, List<Replay> replays) {
        long now = clock.millis();
        return jdbi.inTransaction(h -> {
            PreparedBatch batch = h.prepareBatch("INSERT INTO outbox_replays (subscription_id, mutation_id, attempt, outcome, status, "
                    + "method, path, occurred_at, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
            for (Replay r : replays) {
                batch.bind(0, subscriptionId).bind(1, r.mutationId()).bind(2, r.attempt()).bind(3, r.outcome().id())
                        .bind(4, r.status()).bind(5, r.method()).bind(6, r.path()).bind(7, r.at()).bind(8, now).add();
            }
            int added = 0;
            for (int n : batch.execute()) {
                added += Math.max(n, 0);
            }
            return added;
        });
    }

    /** Deletes up to {@code batch} replays recorded before {@code before}; returns how many. */
    public int pruneRecordedBefore(long before, int batch) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM outbox_replays WHERE (subscription_id, mutation_id, attempt, outcome) "
                        + "IN (SELECT subscription_id, mutation_id, attempt, outcome FROM outbox_replays WHERE recorded_at < ? LIMIT ?)")
                .bind(0, before).bind(1, batch).execute());
    }
}
