package dev.herald.server.webhook;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.common.Ids;
import dev.herald.server.common.Times;
import dev.herald.server.http.Json;
import dev.herald.server.storage.Dialect;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves webhook events from the outbox to the endpoints, on one thread per node. Each round (1) takes outbox rows
 * (skipping rows another node holds), turns them into messages per endpoint (one event, or a batch of up to
 * {@link #MAX_BATCH} that arrived together) and deletes them, in one transaction; (2) claims due messages with a
 * lease, as deliveries are claimed, so two nodes never send the same message at once; (3) signs and sends them and
 * records each answer: 2xx deletes the message, anything else retries it by {@link Backoff}; an endpoint that has
 * not answered 2xx for a day, or answered 410, is disabled. A crash leaves messages leased; after the lease any
 * node sends them again (at least once).
 */
final class Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    static final Duration REFRESH = Duration.ofSeconds(5);
    static final int MAX_BATCH = 100;
    private static final int EXPAND_EVENTS = 1000;
    private static final int SEND_BATCH = 32;
    private static final Duration LEASE = Duration.ofSeconds(60);
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final long IDLE_MILLIS = 250;

    /** The request-forgery check right before a send (the URL's host may resolve elsewhere by now): a reason refuses it. */
    @FunctionalInterface
    interface Guard {
        Optional<String> refusal(String url);
    }

    private final Jdbi jdbi;
    private final Dialect dialect;
    private final Outbox outbox;
    private final Guard guard;
    private final HttpClient http;
    private final Clock clock;
    private final Backoff backoff;
    private final Object signal = new Object();
    private boolean signalled;
    private volatile boolean running;
    private Thread thread;
    private long refreshedAt = System.nanoTime(); // Webhooks loads the wanted types before the first round

    Dispatcher(Jdbi jdbi, Dialect dialect, Outbox outbox, Guard guard, HttpClient http, Clock clock, Backoff backoff) {
        this.jdbi = jdbi;
        this.dialect = dialect;
        this.outbox = outbox;
        this.guard = guard;
        this.http = http;
        this.clock = clock;
        this.backoff = backoff;
    }

    synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = Thread.ofPlatform().name("herald-webhooks").daemon().start(this::loop);
    }

    void wake() {
        synchronized (signal) {
            signalled = true;
            signal.notifyAll();
        }
    }

    void stop() {
        running = false;
        wake();
        if (thread != null) {
            try {
                thread.join(TIMEOUT.toMillis() + 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop() {
        while (running) {
            try {
                if (System.nanoTime() - refreshedAt > REFRESH.toNanos()) {
                    outbox.refresh();
                    refreshedAt = System.nanoTime();
                }
                if (expand() + send() == 0) {
                    synchronized (signal) {
                        if (!signalled) {
                            signal.wait(IDLE_MILLIS);
                        }
                        signalled = false;
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("webhook dispatch failed; retrying", e);
                try {
                    TimeUnit.SECONDS.sleep(1);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** Forces the next round to reload the wanted event types (an endpoint was created, deleted or disabled). */
    void refreshSoon() {
        outbox.refresh();
        refreshedAt = System.nanoTime();
        wake();
    }

    // ---- outbox → messages -----------------------------------------------------------------------------

    private record Row(long id, String eventId, String type, long occurredAt, String data) {}

    private record Target(String id, String events, long createdAt) {}

    /** Turns outbox rows into messages; returns how many rows it took. */
    int expand() {
        return jdbi.inTransaction(h -> {
            List<Row> rows = h.createQuery("SELECT id, event_id, type, occurred_at, data FROM webhook_events ORDER BY id LIMIT :n"
                            + dialect.skipLocked())
                    .bind("n", EXPAND_EVENTS)
                    .map((rs, ctx) -> new Row(rs.getLong("id"), rs.getString("event_id"), rs.getString("type"),
                            rs.getLong("occurred_at"), rs.getString("data")))
                    .list();
            if (rows.isEmpty()) {
                return 0;
            }
            long now = clock.millis();
            List<Target> targets = h.createQuery("SELECT id, events, created_at FROM webhook_endpoints WHERE disabled_at IS NULL")
                    .map((rs, ctx) -> new Target(rs.getString("id"), rs.getString("events"), rs.getLong("created_at"))).list();
            PreparedBatch insert = h.prepareBatch("INSERT INTO webhook_messages (id, endpoint_id, body, events, state, attempts, "
                    + "next_at, created_at) VALUES (?, ?, ?, ?, 'queued', 0, ?, ?)");
            for (Target t : targets) {
                List<Row> mine = rows.stream()
                        .filter(r -> t.events().contains("," + r.type() + ",") && r.occurredAt() >= t.createdAt()).toList();
                for (int i = 0; i < mine.size(); i += MAX_BATCH) {
                    List<Row> chunk = mine.subList(i, Math.min(mine.size(), i + MAX_BATCH));
                    insert.add("msg_" + Ids.next(clock), t.id(), body(chunk, now), chunk.size(), now, now);
                }
            }
            if (insert.size() > 0) {
                insert.execute();
            }
            h.createUpdate("DELETE FROM webhook_events WHERE id IN (<ids>)").bindList("ids", rows.stream().map(Row::id).toList())
                    .execute();
            return rows.size();
        });
    }

    /** One event as its payload; several as one {@code batch} payload whose {@code data.events} holds them in order. */
    private static String body(List<Row> events, long now) {
        if (events.size() == 1) {
            return event(events.get(0)).toString();
        }
        ObjectNode batch = Json.MAPPER.createObjectNode().put("type", "batch").put("timestamp", Times.rfc3339(now));
        ArrayNode list = batch.putObject("data").putArray("events");
        events.forEach(e -> list.add(event(e)));
        return batch.toString();
    }

    private static ObjectNode event(Row r) {
        ObjectNode e = Json.MAPPER.createObjectNode().put("type", r.type()).put("timestamp", Times.rfc3339(r.occurredAt()))
                .put("id", r.eventId());
        try {
            e.set("data", Json.MAPPER.readTree(r.data()));
        } catch (IOException ex) {
            throw new IllegalStateException("an outbox row's data is not JSON", ex);
        }
        return e;
    }

    // ---- sending ---------------------------------------------------------------------------------------

    private record Claimed(String id, String endpointId, String body, int attempts, long createdAt) {}

    private record Endpoint(String id, String url, String secret) {}

    /** What the receiver answered: a status (null when no answer came), its Retry-After, and a reason when not 2xx. */
    private record Answer(Integer status, Optional<Duration> retryAfter, String error) {
        boolean ok() {
            return status != null && status >= 200 && status < 300;
        }
    }

    /** Claims due messages and sends them; returns how many. */
    int send() {
        long now = clock.millis();
        List<Claimed> claimed = jdbi.withHandle(h -> h.createQuery("UPDATE webhook_messages SET state = 'leased', next_at = :lease, "
                        + "attempts = attempts + 1 WHERE id IN (SELECT id FROM webhook_messages WHERE state IN ('queued', 'leased') "
                        + "AND next_at <= :now AND endpoint_id IN (SELECT id FROM webhook_endpoints WHERE disabled_at IS NULL) "
                        + "ORDER BY next_at LIMIT :n" + dialect.skipLocked() + ") RETURNING id, endpoint_id, body, attempts, created_at")
                .bind("lease", now + LEASE.toMillis()).bind("now", now).bind("n", SEND_BATCH)
                .map((rs, ctx) -> new Claimed(rs.getString("id"), rs.getString("endpoint_id"), rs.getString("body"),
                        rs.getInt("attempts"), rs.getLong("created_at")))
                .list());
        if (claimed.isEmpty()) {
            return 0;
        }
        Map<String, Endpoint> endpoints = jdbi.withHandle(h -> h.createQuery("SELECT id, url, secret FROM webhook_endpoints "
                        + "WHERE id IN (<ids>)")
                .bindList("ids", claimed.stream().map(Claimed::endpointId).distinct().toList())
                .map((rs, ctx) -> new Endpoint(rs.getString("id"), rs.getString("url"), rs.getString("secret")))
                .stream().collect(Collectors.toMap(Endpoint::id, e -> e)));
        List<CompletableFuture<Void>> sends = new ArrayList<>();
        for (Claimed c : claimed) {
            Endpoint e = endpoints.get(c.endpointId());
            if (e == null) {
                continue; // deleted meanwhile, and its messages with it
            }
            sends.add(attempt(c, e).thenAccept(answer -> record(c, answer)));
        }
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();
        return claimed.size();
    }

    private CompletableFuture<Answer> attempt(Claimed c, Endpoint e) {
        Optional<String> refused = guard.refusal(e.url());
        if (refused.isPresent()) {
            return CompletableFuture.completedFuture(new Answer(null, Optional.empty(), refused.get()));
        }
        long timestamp = clock.instant().getEpochSecond();
        URI uri = URI.create(e.url());
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .version("http".equalsIgnoreCase(uri.getScheme()) ? HttpClient.Version.HTTP_1_1 : HttpClient.Version.HTTP_2)
                .header("Content-Type", "application/json")
                .header("User-Agent", "Herald-Webhooks")
                .header("webhook-id", c.id())
                .header("webhook-timestamp", Long.toString(timestamp))
                .header("webhook-signature", Signature.sign(e.secret(), c.id(), timestamp, c.body()))
                .POST(HttpRequest.BodyPublishers.ofString(c.body()))
                .build();
        try {
            return http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).handle((response, error) -> {
                if (error != null) {
                    Throwable cause = error.getCause() != null ? error.getCause() : error;
                    return new Answer(null, Optional.empty(), "not sent: " + cause.getClass().getSimpleName()
                            + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
                }
                int status = response.statusCode();
                return new Answer(status, retryAfter(response), status >= 200 && status < 300 ? null : "answered " + status);
            });
        } catch (RuntimeException ex) {
            return CompletableFuture.completedFuture(new Answer(null, Optional.empty(), "not sent: " + ex.getMessage()));
        }
    }

    private static Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").flatMap(v -> {
            try {
                return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(v.strip()))));
            } catch (NumberFormatException ex) {
                return Optional.empty(); // an HTTP date: the backoff's own delay applies
            }
        });
    }

    private void record(Claimed c, Answer a) {
        long now = clock.millis();
        boolean disabled = jdbi.inTransaction(h -> {
            if (a.ok()) {
                if (h.createUpdate("DELETE FROM webhook_messages WHERE id = ? AND attempts = ? AND state = 'leased'")
                        .bind(0, c.id()).bind(1, c.attempts()).execute() == 1) {
                    h.createUpdate("UPDATE webhook_endpoints SET failing_since = NULL, last_error = NULL, last_success_at = ? "
                            + "WHERE id = ?").bind(0, now).bind(1, c.endpointId()).execute();
                }
                return false;
            }
            boolean gone = a.status() != null && a.status() == 410;
            Backoff.Decision next = gone ? new Backoff.Decision.Retry(now)
                    : backoff.next(c.attempts(), c.createdAt(), now, a.retryAfter(), ThreadLocalRandom.current()::nextDouble);
            boolean giveUp = next instanceof Backoff.Decision.GiveUp;
            String error = giveUp ? a.error() + "; given up a day after it was queued" : a.error();
            if (h.createUpdate("UPDATE webhook_messages SET state = :state, next_at = :next, last_status = :status, "
                            + "last_error = :error WHERE id = :id AND attempts = :attempts AND state = 'leased'")
                    .bind("state", giveUp ? "failed" : "queued")
                    .bind("next", next instanceof Backoff.Decision.Retry r ? r.at() : now)
                    .bind("status", a.status()).bind("error", error).bind("id", c.id()).bind("attempts", c.attempts())
                    .execute() == 0) {
                return false; // the lease ran out and another attempt owns the message now
            }
            long failingSince = h.createQuery("UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, :now), "
                            + "last_error = :error WHERE id = :id RETURNING failing_since")
                    .bind("now", now).bind("error", a.error()).bind("id", c.endpointId()).mapTo(Long.class).findOne().orElse(now);
            String reason = gone ? "the receiver answered 410 Gone"
                    : now - failingSince >= backoff.giveUpAfter().toMillis()
                    ? "no 2xx answer since " + Times.rfc3339(failingSince) + " (a day); last: " + a.error() : null;
            return reason != null && disable(h, c.endpointId(), reason, now);
        });
        if (disabled) {
            log.warn("webhook endpoint {} disabled: {}", c.endpointId(), a.error());
            refreshSoon();
        }
    }

    private static boolean disable(Handle h, String endpointId, String reason, long now) {
        return h.createUpdate("UPDATE webhook_endpoints SET disabled_at = ?, disabled_reason = ? WHERE id = ? AND disabled_at IS NULL")
                .bind(0, now).bind(1, reason).bind(2, endpointId).execute() == 1;
    }
}
