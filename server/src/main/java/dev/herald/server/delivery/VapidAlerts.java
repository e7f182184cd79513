package dev.herald.server.delivery;

import dev.herald.webpush.DeliveryResult;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refusals of our VAPID credentials mean the operator's setup is wrong, not the subscription: said loudly in the
 * log (once a minute per push service) with the push service's own reason, and counted per origin.
 */
final class VapidAlerts {
    private static final Logger log = LoggerFactory.getLogger(DeliveryEngine.class);
    /** The reasons push services give, and what an operator should do about each. */
    private static final Map<String, String> MEANING = Map.of(
            "VapidPkHashMismatch", "the browser subscribed with another applicationServerKey than this server's VAPID "
                    + "public key (keys changed, or the page used another key); such subscriptions must subscribe again",
            "BadJwtToken", "the push service could not verify our VAPID JWT: check that the VAPID key pair belongs "
                    + "together and that vapid-subject is a mailto: or https: URL it accepts",
            "ExpiredJwtToken", "our VAPID JWT had expired by the push service's clock: check this machine's clock");

    private final MeterRegistry metrics;
    private final Clock clock;
    private final Map<String, Long> last = new ConcurrentHashMap<>();

    VapidAlerts(MeterRegistry metrics, Clock clock) {
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Whether a refusal body names a VAPID problem even when the status (Apple's, FCM's 400) does not say so. */
    static boolean isVapidReason(String body) {
        return DeliveryResult.reasonCode(body).filter(MEANING::containsKey).isPresent();
    }

    /** "403" or "403 VapidPkHashMismatch": the status with the push service's reason, for errors and the alert. */
    static String statusAndReason(int status, String body) {
        return status + DeliveryResult.reasonCode(body).map(code -> " " + code).orElse("");
    }

    void alert(String origin, int status, String body) {
        metrics.counter("herald.vapid.rejections", "origin", origin).increment();
        long now = clock.millis();
        Long previous = last.get(origin);
        if (previous != null && now - previous <= 60_000) {
            return;
        }
        last.put(origin, now);
        Optional<String> meaning = DeliveryResult.reasonCode(body).map(MEANING::get);
        log.error("OPERATOR ALERT: {} refused our VAPID credentials ({}): {}. Push service said: {}", origin,
                statusAndReason(status, body), meaning.orElse("check vapid-subject and that browsers subscribed with "
                        + "this server's public key"), body);
    }
}
