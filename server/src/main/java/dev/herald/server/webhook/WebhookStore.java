package dev.herald.server.webhook;

import dev.herald.server.common.Rows;
import dev.herald.server.common.Times;
import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import dev.herald.server.storage.Dialect;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Webhook endpoints in the database, and how each is doing (what the API and the admin console show). */
public final class WebhookStore {
    /** Endpoints one Herald keeps; each one multiplies the outbox's work. */
    static final int MAX_ENDPOINTS = 20;
    private static final String COLUMNS = "e.id, e.url, e.events, e.description, e.created_at, e.failing_since, e.last_error, "
            + "e.last_success_at, e.disabled_at, e.disabled_reason, "
            + "(SELECT COUNT(*) FROM webhook_messages m WHERE m.endpoint_id = e.id AND m.state <> 'failed') AS pending, "
            + "(SELECT COUNT(*) FROM webhook_messages m WHERE m.endpoint_id = e.id AND m.state = 'failed') AS failed";

    private final Jdbi jdbi;

    public WebhookStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * An endpoint and its health: {@code status} is enabled or disabled ({@code disabledReason} says why);
     * {@code failingSince} is the first failed attempt since the last success; {@code pendingMessages} are waiting or
     * being retried, {@code failedMessages} were given up after a day (kept a week).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record View(String id, String url, List<String> events, String description, String status, String createdAt,
            String disabledAt, String disabledReason, String failingSince, String lastError, String lastSuccessAt,
            long pendingMessages, long failedMessages, String secret) {
        View withSecret(String secret) {
            return new View(id, url, events, description, status, createdAt, disabledAt, disabledReason, failingSince, lastError,
                    lastSuccessAt, pendingMessages, failedMessages, secret);
        }
    }

    void create(String id, String url, List<EventType> events, String description, String secret, long now) {
        jdbi.useTransaction(h -> {
            Dialect.of(h).lock(h, "webhook endpoints");
            if (h.createQuery("SELECT COUNT(*) FROM webhook_endpoints").mapTo(Integer.class).one() >= MAX_ENDPOINTS) {
                throw new ApiException(ErrorCode.WEBHOOK_LIMIT, "Herald keeps at most " + MAX_ENDPOINTS
                        + " webhook endpoints; delete one first");
            }
            h.createUpdate("INSERT INTO webhook_endpoints (id, url, events, description, secret, created_at) "
                            + "VALUES (?, ?, ?, ?, ?, ?)")
                    .bind(0, id).bind(1, url).bind(2, "," + String.join(",", events.stream().map(EventType::wire).toList()) + ",")
                    .bind(3, description).bind(4, secret).bind(5, now).execute();
        });
    }

    public List<View> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM webhook_endpoints e ORDER BY e.id")
                .map(WebhookStore::view).list());
    }

    public Optional<View> find(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM webhook_endpoints e WHERE e.id = ?")
                .bind(0, id).map(WebhookStore::view).findOne());
    }

    /** Deletes the endpoint and everything queued for it. */
    boolean delete(String id) {
        return jdbi.withHandle(h -> {
            h.createUpdate("DELETE FROM webhook_messages WHERE endpoint_id = ?").bind(0, id).execute();
            return h.createUpdate("DELETE FROM webhook_endpoints WHERE id = ?").bind(0, id).execute() == 1;
        });
    }

    /** Removes up to {@code batch} messages given up before {@code before}; returns how many. */
    int pruneFailed(long before, int batch) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM webhook_messages WHERE id IN (SELECT id FROM webhook_messages "
                        + "WHERE state = 'failed' AND next_at < ? LIMIT ?)")
                .bind(0, before).bind(1, batch).execute());
    }

    private static View view(ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx) throws SQLException {
        Long disabledAt = Rows.nullableLong(rs, "disabled_at");
        return new View(rs.getString("id"), rs.getString("url"),
                Arrays.stream(rs.getString("events").split(",")).filter(s -> !s.isEmpty()).toList(),
                rs.getString("description"), disabledAt == null ? "enabled" : "disabled", Times.rfc3339(rs.getLong("created_at")),
                Times.rfc3339OrNull(disabledAt), rs.getString("disabled_reason"),
                Times.rfc3339OrNull(Rows.nullableLong(rs, "failing_since")), rs.getString("last_error"),
                Times.rfc3339OrNull(Rows.nullableLong(rs, "last_success_at")), rs.getLong("pending"), rs.getLong("failed"), null);
    }
}
