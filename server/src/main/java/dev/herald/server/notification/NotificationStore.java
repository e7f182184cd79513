package dev.herald.server.notification;

import dev.herald.server.delivery.DeliveryHistory;
import dev.herald.server.delivery.DeliveryReads;
import dev.herald.server.delivery.DeliveryState;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** Notifications in the database, and the per-state delivery counts that report their progress. */
public final class NotificationStore {
    static final String COLUMNS = "id, api_key_id, status, audience, category, payload, ttl, urgency, topic, send_at, "
            + "expires_at, fanout_cursor, created_at, send_at_local, respect_quiet_hours";

    private final Jdbi jdbi;
    private final Clock clock;
    private final DeliveryReads deliveries;

    public NotificationStore(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.deliveries = new DeliveryReads(jdbi);
    }

    public void insert(Notification n) {
        jdbi.useHandle(h -> insert(h, n));
    }

    /** Inserts inside the caller's transaction. */
    public void insert(org.jdbi.v3.core.Handle h, Notification n) {
        h.createUpdate("INSERT INTO notifications (" + COLUMNS + ") VALUES (:id, :key, :status, :audience, "
                        + ":category, :payload, :ttl, :urgency, :topic, :sendAt, :expiresAt, :cursor, :createdAt, :local, :quiet)")
                .bind("id", n.id()).bind("key", n.apiKeyId()).bind("status", n.status().token()).bind("audience", n.audience())
                .bind("category", n.category()).bind("payload", n.payload()).bind("ttl", n.ttl()).bind("urgency", n.urgency())
                .bind("topic", n.topic()).bind("sendAt", n.sendAt()).bind("expiresAt", n.expiresAt())
                .bind("cursor", n.fanoutCursor()).bind("createdAt", n.createdAt())
                .bind("local", n.sendAtLocal()).bind("quiet", n.respectQuietHours() ? 1 : 0)
                .execute();
    }

    /** Records per-delivery content and the template used, inside the caller's transaction (after {@link #insert}). */
    void content(org.jdbi.v3.core.Handle h, String id, com.fasterxml.jackson.databind.node.ObjectNode content,
            String templateName, Integer templateVersion) {
        h.createUpdate("UPDATE notifications SET content = :content, template_name = :name, template_version = :version "
                        + "WHERE id = :id")
                .bind("content", content == null ? null : content.toString()).bind("name", templateName)
                .bind("version", templateVersion).bind("id", id).execute();
    }

    /** The template a notification used, if any. */
    record TemplateUse(String name, int version) {}

    Optional<TemplateUse> template(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT template_name, template_version FROM notifications WHERE id = ? "
                        + "AND template_name IS NOT NULL")
                .bind(0, id).map((rs, ctx) -> new TemplateUse(rs.getString("template_name"), rs.getInt("template_version")))
                .findOne());
    }

    /**
     * Deliveries by the locale their content was chosen for ({@code default}: the default payload); empty when the
     * notification has one payload for all.
     */
    Map<String, Integer> localeCounts(String id) {
        boolean varies = jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM notifications WHERE id = ? AND content IS NOT NULL")
                .bind(0, id).mapTo(Integer.class).one() > 0);
        return varies ? deliveries.byLocale(id) : Map.of();
    }

    public org.jdbi.v3.core.Jdbi jdbi() {
        return jdbi;
    }

    public Optional<Notification> find(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM notifications WHERE id = ?")
                .bind(0, id).map(NotificationStore::map).findOne());
    }

    /** Deliveries of the notification by state (states with none are absent). */
    public Map<DeliveryState, Integer> counts(String id) {
        return deliveries.counts(id);
    }

    /** Why its fan-out failed, else the most recent failure reason among its deliveries, for operators reading the status. */
    public Optional<String> lastError(String id) {
        Optional<String> fanOut = jdbi.withHandle(h -> h.createQuery("SELECT fanout_error FROM notifications WHERE id = ? "
                + "AND status = ?").bind(0, id).bind(1, NotificationStatus.FAILED.token()).mapTo(String.class).findOne());
        return fanOut.isPresent() ? fanOut : deliveries.lastError(id);
    }

    /**
     * Cancels what is not yet sent: the notification stops fanning out and its queued deliveries become
     * {@code cancelled}. Deliveries already on their way (leased) finish. Returns false when it had already
     * been cancelled.
     */
    public boolean cancel(String id) {
        long now = clock.millis();
        return jdbi.inTransaction(h -> {
            int changed = h.createUpdate("UPDATE notifications SET status = :cancelled WHERE id = :id AND status <> :cancelled")
                    .bind("cancelled", NotificationStatus.CANCELLED.token()).bind("id", id).execute();
            DeliveryHistory.cancelQueued(h, id, now);
            return changed == 1;
        });
    }

    static Notification map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Notification(rs.getString("id"), rs.getString("api_key_id"), NotificationStatus.of(rs.getString("status")), rs.getString("audience"),
                rs.getString("category"), rs.getString("payload"), rs.getInt("ttl"), rs.getString("urgency"),
                rs.getString("topic"), rs.getLong("send_at"), rs.getLong("expires_at"), rs.getString("fanout_cursor"),
                rs.getLong("created_at"), rs.getString("send_at_local"), rs.getInt("respect_quiet_hours") != 0);
    }
}
