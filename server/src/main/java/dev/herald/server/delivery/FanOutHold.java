package dev.herald.server.delivery;

import dev.herald.server.preference.DeliveryGate;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Takes a fan-out page instead of the delivery queue, for notifications that are held rather than sent now (digests):
 * the holder creates the real notification later, which fans out as usual.
 */
@FunctionalInterface
public interface FanOutHold {
    FanOutHold NONE = (h, notificationId, page, now) -> false;

    /** True when it took {@code page} inside the page's transaction {@code h}; nothing is queued for it then. */
    boolean hold(Handle h, String notificationId, List<DeliveryGate.Recipient> page, long now);
}
