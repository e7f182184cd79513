package dev.herald.server.admin;

import dev.herald.server.auth.ApiKeyStore;
import dev.herald.server.auth.Authenticator;
import dev.herald.server.auth.UserTokens;
import dev.herald.server.config.Settings;
import dev.herald.server.delivery.DeliveryReads;
import dev.herald.server.http.Router;
import dev.herald.server.notification.NotificationRoutes;
import dev.herald.server.notification.NotificationStore;
import dev.herald.server.subscription.SubscriptionStore;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;

/**
 * The admin console: its pages at {@code /admin/} and its API under {@code /api/v1/admin/}. One feature for
 * {@code HeraldApp} to register; the parts are small route classes sharing one {@link AdminAuth}.
 */
public final class AdminConsole implements Router.Feature {
    /** What the console reads and acts on, all owned by other features. */
    public record Parts(Jdbi jdbi, Authenticator auth, ApiKeyStore keys, SubscriptionStore subscriptions,
            NotificationRoutes notificationRoutes, NotificationStore notifications, String vapidPublicKey, UserTokens userTokens) {}

    private final AdminSessions sessions;
    private final List<Router.Feature> features;

    public AdminConsole(Parts parts, Settings settings, Supplier<URI> publicUrl, Clock clock) {
        this.sessions = new AdminSessions(parts.jdbi(), clock);
        AdminAuth adminAuth = new AdminAuth(sessions, parts.auth(), publicUrl);
        DeliveryReads deliveries = new DeliveryReads(parts.jdbi());
        this.features = List.of(
                new SessionRoutes(sessions, adminAuth, parts.keys(), settings.maxBodyBytes()),
                new OverviewRoutes(adminAuth, parts.jdbi(), deliveries, publicUrl, clock),
                new NotificationAdminRoutes(adminAuth, parts.jdbi(), parts.notificationRoutes(), parts.notifications(), deliveries,
                        settings.maxBodyBytes()),
                new DeviceRoutes(adminAuth, parts.jdbi(), parts.subscriptions(), deliveries, publicUrl, clock),
                new SyncAdminRoutes(adminAuth, parts.jdbi(), settings.syncCollections()),
                new KeyRoutes(adminAuth, parts.keys(), settings, parts.vapidPublicKey()),
                new WebhookAdminRoutes(adminAuth, new dev.herald.server.webhook.WebhookStore(parts.jdbi())),
                new OperatorBrowserRoutes(adminAuth, parts.userTokens()),
                new AdminPages());
    }

    @Override
    public void routes(Router router) {
        features.forEach(f -> f.routes(router));
    }

    /** Removes expired console sessions (periodic housekeeping); returns how many. */
    public int pruneSessions() {
        return sessions.prune();
    }
}
