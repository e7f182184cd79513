package dev.herald.server.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Named, versioned notification templates in the database. A version is never changed: an update adds the next
 * one, and the latest is what a notification naming the template gets. Thread-safe.
 */
public final class TemplateStore {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Jdbi jdbi;
    private final Clock clock;

    public TemplateStore(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    /**
     * One version of a template: the default {@code payload} and per-locale variants (canonical BCP 47 tags), each a
     * JSON object whose strings are templates.
     */
    public record Version(String name, int version, String description, ObjectNode payload, Map<String, ObjectNode> localized,
            long createdAt) {
        public Version {
            localized = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(localized));
        }

        /** The content for {@code tag}: its variant's fields over the default's; null: the default. */
        public ObjectNode variant(String tag) {
            ObjectNode out = payload.deepCopy();
            if (tag != null && localized.containsKey(tag)) {
                out.setAll(localized.get(tag).deepCopy());
            }
            return out;
        }
    }

    /** The latest version of {@code name} ({@code version} null), or that version. */
    public Optional<Version> find(String name, Integer version) {
        return jdbi.withHandle(h -> find(h, name, version));
    }

    /** As {@link #find(String, Integer)}, inside the caller's transaction. */
    public Optional<Version> find(Handle h, String name, Integer version) {
        return h.createQuery("SELECT name, version, description, content, created_at FROM templates WHERE name = :name AND "
                        + (version == null ? "version = (SELECT MAX(version) FROM templates WHERE name = :name)" : "version = :v"))
                .bind("name", name).bind("v", version)
                .map(TemplateStore::map).findOne();
    }

    /**
     * Stores the next version of {@code name} (1 for a new name) and returns it; with {@code mustBeNew}, empty when
     * the name exists, without it, empty when it does not. Two writers at once: one of them gets a constraint
     * violation from the database (a {@code RuntimeException}), which the caller answers as a conflict.
     */
    public Optional<Version> add(String name, String description, ObjectNode payload, Map<String, ObjectNode> localized,
            boolean mustBeNew) {
        return jdbi.inTransaction(h -> {
            int latest = h.createQuery("SELECT COALESCE(MAX(version), 0) FROM templates WHERE name = ?").bind(0, name)
                    .mapTo(Integer.class).one();
            if (mustBeNew != (latest == 0)) {
                return Optional.<Version>empty();
            }
            ObjectNode content = JSON.createObjectNode();
            content.set("payload", payload);
            ObjectNode loc = content.putObject("localized");
            localized.forEach(loc::set);
            long now = clock.millis();
            h.createUpdate("INSERT INTO templates (name, version, description, content, created_at) VALUES (?, ?, ?, ?, ?)")
                    .bind(0, name).bind(1, latest + 1).bind(2, description).bind(3, content.toString()).bind(4, now).execute();
            return Optional.of(new Version(name, latest + 1, description, payload, localized, now));
        });
    }

    /** The latest version of every template, by name. */
    public List<Version> latest() {
        return jdbi.withHandle(h -> h.createQuery("SELECT t.name, t.version, t.description, t.content, t.created_at FROM templates t "
                        + "WHERE t.version = (SELECT MAX(version) FROM templates WHERE name = t.name) ORDER BY t.name")
                .map(TemplateStore::map).list());
    }

    /** Deletes every version; false when there was none. Notifications already accepted keep their copy. */
    public boolean delete(String name) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM templates WHERE name = ?").bind(0, name).execute() > 0);
    }

    private static Version map(ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx) throws SQLException {
        JsonNode content;
        try {
            content = JSON.readTree(rs.getString("content"));
        } catch (IOException e) {
            throw new IllegalStateException("stored template is not JSON", e);
        }
        Map<String, ObjectNode> localized = new LinkedHashMap<>();
        content.path("localized").properties().forEach(e -> localized.put(e.getKey(), (ObjectNode) e.getValue()));
        return new Version(rs.getString("name"), rs.getInt("version"), rs.getString("description"),
                (ObjectNode) content.get("payload"), localized, rs.getLong("created_at"));
    }
}
