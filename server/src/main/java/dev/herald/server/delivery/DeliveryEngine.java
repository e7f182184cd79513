package dev.herald.server.delivery;

import dev.herald.server.engagement.Receipts;
import dev.herald.server.notification.Audience;
import dev.herald.server.preference.DeliveryGate;
import dev.herald.server.storage.Database;
import dev.herald.webpush.ContentEncoding;
import dev.herald.webpush.DeliveryResult;
import dev.herald.webpush.PushMessage;
import dev.herald.webpush.PushSubscription;
import dev.herald.webpush.Urgency;
import dev.herald.webpush.WebPushSender;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves notifications to browsers: fans each one out into the durable queue, claims due deliveries in batches,
 * encrypts and sends them through {@link WebPushSender} (bounded in flight per node and per push service), and
 * records every outcome. Three threads: fan-out, claim/dispatch, and a recorder that writes outcomes in batches.
 *
 * <p>Nothing lives only in memory: a delivery is in the database before it is sent, and marked after. A crash
 * between the two leaves it leased; when the lease runs out any node claims it again, so the worst case is a
 * duplicate for what was in flight, never a loss.
 */
public final class DeliveryEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeliveryEngine.class);
    private static final long IDLE_POLL_MILLIS = 100;
    private static final int MAX_RECORD_BATCH = 2000;
    /** Failed fan-out attempts (one per lease) before a notification is given up as failed. A constant: see docs/api.md. */
    static final int MAX_FANOUT_FAILURES = 5;

    /** The engine's tunables, from the settings. */
    public record Config(int concurrency, int batch, Duration lease, int fanOutPage, RetryPolicy retry,
            int goneAfterBadRequests) {}

    private final DeliveryQueue queue;
    private final Receipts receipts;
    private final WebPushSender sender;
    private final Config config;
    private final OutcomePolicy policy;
    private final Clock clock;
    private final Semaphore inFlight;
    /** Claimed deliveries whose outcome is not yet written: in flight, answered and waiting, or being recorded. */
    private final AtomicInteger unrecorded = new AtomicInteger();
    private final int maxUnrecorded;
    private final LinkedBlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();
    private final Wakeup fanOutWakeup = new Wakeup();
    private final Wakeup claimWakeup = new Wakeup();
    private final Map<String, DeliveryQueue.Message> messages = new ConcurrentHashMap<>();
    private final Map<DeliveryState, Counter> outcomeCounters = new ConcurrentHashMap<>();
    private final VapidAlerts vapidAlerts;
    private final AtomicLong depth = new AtomicLong();
    private final MeterRegistry metrics;
    private final List<Thread> threads = new ArrayList<>();
    private Thread depthThread;
    private volatile boolean running;

    /**
     * The last check of an endpoint right before it is sent to: a reason refuses the send (the delivery fails with it,
     * the subscription is kept). The push-host policy's send-time address check (DNS rebinding).
     */
    @FunctionalInterface
    public interface EndpointGuard {
        Optional<String> refusal(String endpoint);
    }

    private final EndpointGuard guard;
    private final DeliveryContent content;

    public DeliveryEngine(Database database, WebPushSender sender, DeliveryGate gate, Receipts receipts, EndpointGuard guard,
            DeliveryContent content, Config config, Clock clock, MeterRegistry metrics, FanOutHold hold) {
        this.content = content;
        this.queue = new DeliveryQueue(database.jdbi(), database.dialect(), gate, hold, content);
        this.receipts = receipts;
        this.guard = guard;
        this.sender = sender;
        this.config = config;
        this.policy = new OutcomePolicy(config.retry(), config.goneAfterBadRequests());
        this.clock = clock;
        this.inFlight = new Semaphore(config.concurrency());
        // Leased but unrecorded stays within twice the concurrency (in flight + answered, not yet written): the most
        // a crash can send twice.
        this.maxUnrecorded = 2 * config.concurrency();
        this.metrics = metrics;
        this.vapidAlerts = new VapidAlerts(metrics, clock);
        metrics.gauge("herald.delivery.queue.depth", depth);
        metrics.gauge("herald.delivery.in.flight", inFlight, s -> config.concurrency() - s.availablePermits());
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        threads.add(Thread.ofPlatform().name("herald-fanout").daemon().start(this::fanOutLoop));
        threads.add(Thread.ofPlatform().name("herald-claim").daemon().start(this::claimLoop));
        threads.add(Thread.ofPlatform().name("herald-recorder").daemon().start(this::recordLoop));
        depthThread = Thread.ofPlatform().name("herald-queue-depth").daemon().start(this::depthLoop);
    }

    /** Set before {@link #start}: told of each batch of outcomes in the transaction that writes it. */
    public void onRecorded(RecordedOutcomes listener) {
        queue.listen(listener);
    }

    /** New notifications may be ready: skip the poll interval. */
    public void wake() {
        fanOutWakeup.signal();
        claimWakeup.signal();
    }

    // ---- fan-out ---------------------------------------------------------------------------------------

    private void fanOutLoop() {
        while (running) {
            try {
                boolean didWork = fanOutOnce();
                if (!didWork) {
                    fanOutWakeup.await(IDLE_POLL_MILLIS * 5);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("fan-out failed; retrying", e);
                pause();
            }
        }
    }

    /** Fans out one notification completely; false when none was due. */
    boolean fanOutOnce() {
        long now = clock.millis();
        Optional<DeliveryQueue.FanOutJob> job = queue.claimFanOut(now, now + config.lease().toMillis());
        if (job.isEmpty()) {
            return false;
        }
        String id = job.get().notificationId();
        try {
            AudienceSql audience = AudienceSql.of(Audience.fromStored(job.get().audience()));
            while (job.isPresent() && running) {
                long t = clock.millis();
                job = queue.fanOutPage(job.get(), audience, config.fanOutPage(), t, t + config.lease().toMillis());
                claimWakeup.signal();
            }
        } catch (RuntimeException e) {
            // Counted on the notification; its lease stays, so another attempt comes after it (a brief database
            // outage heals), and after MAX_FANOUT_FAILURES the notification is failed with the reason, not
            // retried forever. What was queued before the failure is still sent.
            String reason = OutcomePolicy.reason("fan-out failed", rootMessage(e));
            if (queue.fanOutFailed(id, reason, MAX_FANOUT_FAILURES)) {
                log.error("fan-out of notification {} failed {} times; it is now failed: {}", id, MAX_FANOUT_FAILURES, reason, e);
            } else {
                log.warn("fan-out of notification {} failed; retried after its lease: {}", id, reason);
            }
        }
        return true;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    // ---- claim and send --------------------------------------------------------------------------------

    private void claimLoop() {
        while (running) {
            try {
                int limit = Math.min(Math.min(inFlight.availablePermits(), config.batch()), maxUnrecorded - unrecorded.get());
                if (limit < Math.min(config.batch(), config.concurrency()) / 4 + 1) {
                    claimWakeup.await(10); // wait for sends to finish, or for the recorder to catch up
                    continue;
                }
                int claimed = claimOnce(limit);
                if (claimed == 0) {
                    claimWakeup.await(IDLE_POLL_MILLIS);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("claiming deliveries failed; retrying", e);
                pause();
            }
        }
    }

    int claimOnce(int limit) {
        long now = clock.millis();
        List<DeliveryQueue.Claimed> batch = queue.claim(limit, now, now + config.lease().toMillis());
        if (batch.isEmpty()) {
            return 0;
        }
        inFlight.acquireUninterruptibly(batch.size());
        unrecorded.addAndGet(batch.size());
        Map<String, DeliveryQueue.Target> targets;
        Map<Long, DeliveryContent.Payload> contents;
        try {
            Set<String> subscriptionIds = new LinkedHashSet<>();
            batch.forEach(c -> subscriptionIds.add(c.subscriptionId()));
            targets = queue.targets(subscriptionIds);
            Map<String, DeliveryQueue.Target> found = targets;
            contents = content.prepare(batch.stream()
                    .map(c -> new DeliveryContent.Ref(c.id(), c.notificationId(), c.subscriptionId(),
                            found.containsKey(c.subscriptionId()) ? found.get(c.subscriptionId()).userId() : null, c.locale()))
                    .toList());
        } catch (RuntimeException e) { // nothing was sent: give the permits back; the leases let the rows be claimed again
            inFlight.release(batch.size());
            unrecorded.addAndGet(-batch.size());
            throw e;
        }
        for (DeliveryQueue.Claimed c : batch) {
            dispatch(c, targets.get(c.subscriptionId()), contents.get(c.id()));
        }
        return batch.size();
    }

    private void dispatch(DeliveryQueue.Claimed c, DeliveryQueue.Target target, DeliveryContent.Payload own) {
        DeliveryQueue.Message message = message(c.notificationId());
        if (message == null) {
            complete(new Outcome(c.id(), c.attempts(), DeliveryState.CANCELLED, null, null, "notification deleted", null, null));
            return;
        }
        OutcomePolicy.Attempt attempt = new OutcomePolicy.Attempt(c.id(), c.attempts(), c.subscriptionId(),
                c.expiresAt() != null ? c.expiresAt() : message.expiresAt());
        if (target == null) {
            complete(Outcome.of(attempt, DeliveryState.GONE, null, null, "subscription was deleted"));
            return;
        }
        Instant now = clock.instant();
        long remaining = OutcomePolicy.remainingSeconds(attempt, now);
        if (remaining <= 0) {
            complete(Outcome.of(attempt, DeliveryState.EXPIRED, null, null, "TTL ran out before sending"));
            return;
        }
        PushPayload payload = message.payload();
        switch (own) {
            case null -> { }
            case DeliveryContent.Payload.Message m -> payload = PushPayload.of(m.json());
            case DeliveryContent.Payload.Unsendable u -> {
                complete(Outcome.of(attempt, DeliveryState.FAILED, null, null, u.reason()));
                return;
            }
        }
        PushSubscription subscription;
        PushMessage push;
        try {
            subscription = PushSubscription.of(target.endpoint(), target.p256dh(), target.auth());
            // The receipt lets the service worker report received/shown/clicked for exactly this delivery.
            push = PushMessage.builder().payload(payload.withReceipt(receipts.issue(c.notificationId(), c.subscriptionId())))
                    .ttlSeconds(remaining)
                    .urgency(Urgency.fromToken(message.urgency())).topic(message.topic())
                    .encoding(ContentEncoding.fromToken(target.encoding())).build();
        } catch (IllegalArgumentException e) {
            complete(Outcome.of(attempt, DeliveryState.FAILED, null, null, "unsendable: " + e.getMessage()));
            return;
        }
        Optional<String> refused = guard.refusal(target.endpoint());
        if (refused.isPresent()) {
            complete(Outcome.of(attempt, DeliveryState.FAILED, null, null, refused.get()));
            return;
        }
        try {
            sender.send(subscription, push).whenComplete((result, error) -> complete(error == null
                    ? outcome(attempt, target, result)
                    : policy.notSent(attempt, error.getMessage(), clock.instant(), ThreadLocalRandom.current()::nextDouble)));
        } catch (RuntimeException e) {
            complete(policy.notSent(attempt, e.getMessage(), clock.instant(), ThreadLocalRandom.current()::nextDouble));
        }
    }

    private DeliveryQueue.Message message(String notificationId) {
        DeliveryQueue.Message cached = messages.get(notificationId);
        if (cached != null) {
            return cached;
        }
        if (messages.size() > 10_000) {
            messages.clear();
        }
        DeliveryQueue.Message loaded = queue.message(notificationId).orElse(null);
        if (loaded != null) {
            messages.put(notificationId, loaded);
        }
        return loaded;
    }

    private Outcome outcome(OutcomePolicy.Attempt attempt, DeliveryQueue.Target target, DeliveryResult r) {
        switch (r) { // VAPID refusals are an operator alert; Apple and FCM may name one in a 400
            case DeliveryResult.Unauthorized u -> vapidAlerts.alert(target.origin(), u.status(), u.reason());
            case DeliveryResult.Rejected rej when VapidAlerts.isVapidReason(rej.reason()) ->
                    vapidAlerts.alert(target.origin(), rej.status(), rej.reason());
            default -> { }
        }
        return policy.answered(attempt, r, clock.instant(), ThreadLocalRandom.current()::nextDouble);
    }

    /**
     * The attempt is over: its outcome waits for the recorder, and its send permit is free at once, so the push
     * service is kept busy while outcomes are written (the backlog of unwritten ones is bounded by the claim loop).
     */
    private void complete(Outcome outcome) {
        outcomes.add(outcome);
        inFlight.release();
        claimWakeup.signal();
    }

    // ---- recording -------------------------------------------------------------------------------------

    private void recordLoop() {
        List<Outcome> batch = new ArrayList<>();
        while (running || inFlight.availablePermits() < config.concurrency() || !outcomes.isEmpty() || !batch.isEmpty()) {
            try {
                if (batch.isEmpty()) {
                    Outcome first = outcomes.poll(50, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                }
                outcomes.drainTo(batch, MAX_RECORD_BATCH - batch.size());
                for (Outcome o : queue.record(batch, clock.millis(), policy)) {
                    outcomeCounters.computeIfAbsent(o.state(),
                            s -> Counter.builder("herald.deliveries").tag("outcome", s.token()).register(metrics)).increment();
                }
                unrecorded.addAndGet(-batch.size());
                batch.clear();
                claimWakeup.signal();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // Keep the batch: the database may be briefly unavailable. Leases protect the rows meanwhile.
                log.error("recording {} delivery outcomes failed; retrying", batch.size(), e);
                pause();
            }
        }
    }

    private void depthLoop() {
        while (running) {
            try {
                depth.set(queue.depth());
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.debug("queue depth query failed", e);
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops claiming, lets what is in flight finish and be recorded (up to {@code grace}), then stops. Anything
     * still unrecorded stays leased and is retried after its lease by this or another node.
     */
    public void stop(Duration grace) {
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
        }
        fanOutWakeup.signal();
        claimWakeup.signal();
        depthThread.interrupt();
        long deadline = System.nanoTime() + grace.toNanos();
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        threads.forEach(Thread::interrupt);
        threads.clear();
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }
}
