package dev.herald.server.preference;

import dev.herald.server.common.Zones;
import dev.herald.server.config.Settings;
import dev.herald.server.notification.LocalSend;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * Applies each user's preferences while a notification fans out, before anything is queued: a category they
 * turned off → suppressed; quiet hours in their time zone → deferred to the window's end, or suppressed when the
 * TTL would run out first; their rolling-day cap reached → suppressed. Local-time sends get each device's own due
 * time here too. Critical categories cannot be turned off and skip caps; with {@code quiet-hours-bypass}, an
 * urgency-high notification of a critical category also skips quiet hours.
 *
 * <p>Runs inside the fan-out page's transaction, so the cap ledger and the deliveries commit together. Two
 * notifications fanning out at the same moment on two PostgreSQL nodes can each see the ledger before the
 * other's write, so a cap can be exceeded by the notifications in flight at once; on SQLite it is exact.
 */
public final class DeliveryGate {
    private static final long DAY = Duration.ofDays(1).toMillis();
    /** Notifications created before categories existed, or whose category was removed from the config. */
    private static final Settings.Category UNCATEGORIZED = new Settings.Category("", "", "", true, false, 0);

    private final PreferenceStore store;
    private final Settings settings;

    public DeliveryGate(PreferenceStore store, Settings settings) {
        this.store = store;
        this.settings = settings;
    }

    /** The notification being fanned out. Times are epoch milliseconds. */
    public record Job(String notificationId, String category, String urgency, int ttlSeconds, long sendAt, long expiresAt,
            String sendAtLocal, boolean respectQuietHours) {}

    public record Recipient(String subscriptionId, String userId, String timezone) {}

    /** A delivery to queue: due at {@code dueAt}, or suppressed with {@code reason}. */
    public record Planned(String subscriptionId, boolean suppressed, long dueAt, long expiresAt, String reason) {}

    public List<Planned> plan(Handle h, Job job, List<Recipient> page, long now) {
        Set<String> users = new LinkedHashSet<>();
        page.forEach(r -> {
            if (r.userId() != null) {
                users.add(r.userId());
            }
        });
        Map<String, Preferences> prefs = store.forUsers(h, users);
        Settings.Category category = job.category() == null ? UNCATEGORIZED
                : settings.category(job.category()).orElse(UNCATEGORIZED);
        LocalSend local = job.sendAtLocal() == null ? null : LocalSend.parse(job.sendAtLocal());
        boolean capped = !category.critical() && (settings.maxPerDay() > 0 || category.maxPerDay() > 0
                || prefs.values().stream().anyMatch(p -> p.maxPerDay() != null));
        List<PreferenceStore.Sent> ledger = capped ? store.ledger(h, users, now - 2 * DAY, Long.MAX_VALUE) : List.of();
        Map<String, Planned> decidedForUser = new HashMap<>();
        List<PreferenceStore.Sent> sends = new ArrayList<>();
        List<Planned> out = new ArrayList<>(page.size());
        for (Recipient r : page) {
            Preferences p = r.userId() == null ? Preferences.DEFAULTS : prefs.getOrDefault(r.userId(), Preferences.DEFAULTS);
            Planned planned = plan(job, category, local, r, p, now);
            if (!planned.suppressed() && capped && r.userId() != null) {
                Planned first = decidedForUser.computeIfAbsent(r.userId(), u -> capCheck(job, category, p, planned, u, ledger));
                if (first == planned) {
                    sends.add(new PreferenceStore.Sent(r.userId(), job.notificationId(), category.id(), planned.dueAt()));
                } else if (first.suppressed()) {
                    out.add(suppressed(planned, first.reason()));
                    continue;
                }
            }
            out.add(planned);
        }
        store.recordSends(h, sends);
        return out;
    }

    private Planned plan(Job job, Settings.Category category, LocalSend local, Recipient r, Preferences p, long now) {
        if (!category.critical() && !p.categories().getOrDefault(category.id(), category.defaultOn())) {
            return new Planned(r.subscriptionId(), true, now, job.expiresAt(), "preferences: category " + category.id() + " is off");
        }
        ZoneId zone = p.timezone() != null ? p.timezone() : Objects.requireNonNullElse(Zones.stored(r.timezone()), ZoneOffset.UTC);
        long due = Math.max(now, job.sendAt());
        long expires = job.expiresAt();
        if (local != null) {
            due = local.dueIn(zone, Instant.ofEpochMilli(job.sendAt())).toEpochMilli();
            expires = due + job.ttlSeconds() * 1000L;
        }
        boolean bypass = settings.quietHoursBypass() && category.critical() && job.urgency().equals("high");
        if (job.respectQuietHours() && p.quietHours() != null && !bypass) {
            var end = p.quietHours().endIfInside(Instant.ofEpochMilli(due), zone);
            if (end.isPresent()) {
                long until = end.get().toEpochMilli();
                if (until >= expires) {
                    return new Planned(r.subscriptionId(), true, due, expires, "quiet hours until " + end.get().atZone(zone)
                            .toLocalTime() + " " + zone.getId() + "; the TTL runs out first");
                }
                due = until;
            }
        }
        return new Planned(r.subscriptionId(), false, due, expires, null);
    }

    /** The user's first device decides for all: over a cap in any 24 hours around the due time → suppressed. */
    private Planned capCheck(Job job, Settings.Category category, Preferences p, Planned planned, String userId,
            List<PreferenceStore.Sent> ledger) {
        int overall = smallestPositive(settings.maxPerDay(), p.maxPerDay() == null ? 0 : p.maxPerDay());
        int all = 0;
        int same = 0;
        for (PreferenceStore.Sent s : ledger) {
            if (s.userId().equals(userId) && !s.notificationId().equals(job.notificationId())
                    && Math.abs(s.dueAt() - planned.dueAt()) < DAY) {
                all++;
                same += s.category().equals(category.id()) ? 1 : 0;
            }
        }
        if (overall > 0 && all >= overall) {
            return suppressed(planned, "preferences: daily cap of " + overall + " reached");
        }
        if (category.maxPerDay() > 0 && same >= category.maxPerDay()) {
            return suppressed(planned, "category " + category.id() + ": daily cap of " + category.maxPerDay() + " reached");
        }
        return planned;
    }

    private static Planned suppressed(Planned p, String reason) {
        return new Planned(p.subscriptionId(), true, p.dueAt(), p.expiresAt(), reason);
    }

    private static int smallestPositive(int a, int b) {
        return a <= 0 ? b : b <= 0 ? a : Math.min(a, b);
    }
}
