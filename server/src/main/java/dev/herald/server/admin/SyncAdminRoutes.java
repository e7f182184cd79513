package dev.herald.server.admin;

import dev.herald.server.common.Times;
import dev.herald.server.config.Settings;
import dev.herald.server.http.Json;
import dev.herald.server.http.Router;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/** {@code GET /api/v1/admin/sync}: each configured collection with its document counts, the latest changes and the latest refused mutations. */
final class SyncAdminRoutes implements Router.Feature {
    private static final int RECENT = 25;

    private final AdminAuth adminAuth;
    private final Jdbi jdbi;
    private final List<Settings.SyncCollection> collections;

    SyncAdminRoutes(AdminAuth adminAuth, Jdbi jdbi, List<Settings.SyncCollection> collections) {
        this.adminAuth = adminAuth;
        this.jdbi = jdbi;
        this.collections = collections;
    }

    @Override
    public void routes(Router router) {
        router.get("/api/v1/admin/sync", ctx -> {
            adminAuth.require(ctx);
            Map<String, Map<String, Object>> byName = new LinkedHashMap<>();
            for (Settings.SyncCollection c : collections) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", c.name());
                row.put("shared", c.shared());
                row.put("notifies", c.notifies());
                row.put("documents", 0);
                row.put("tombstones", 0);
                row.put("partitions", 0);
                row.put("lastChangeAt", null);
                byName.put(c.name(), row);
            }
            List<Map<String, Object>> recent = jdbi.withHandle(h -> {
                h.createQuery("SELECT collection, SUM(1 - deleted) AS docs, SUM(deleted) AS tombstones, COUNT(DISTINCT owner) AS owners, "
                                + "MAX(updated_at) AS last FROM sync_documents GROUP BY collection")
                        .map((rs, c) -> {
                            Map<String, Object> row = byName.computeIfAbsent(rs.getString("collection"), n -> new LinkedHashMap<>(Map.of("name", n)));
                            row.put("documents", rs.getLong("docs"));
                            row.put("tombstones", rs.getLong("tombstones"));
                            row.put("partitions", rs.getLong("owners"));
                            row.put("lastChangeAt", Times.rfc3339(rs.getLong("last")));
                            return row;
                        }).list();
                return h.createQuery("SELECT collection, owner, id, version, deleted, updated_at FROM sync_documents "
                                + "ORDER BY updated_at DESC LIMIT " + RECENT)
                        .map((rs, c) -> {
                            Map<String, Object> row = new LinkedHashMap<>();
                            row.put("collection", rs.getString("collection"));
                            row.put("owner", rs.getString("owner").isEmpty() ? null : rs.getString("owner"));
                            row.put("id", rs.getString("id"));
                            row.put("version", rs.getLong("version"));
                            row.put("deleted", rs.getInt("deleted") != 0);
                            row.put("at", Times.rfc3339(rs.getLong("updated_at")));
                            return row;
                        }).list();
            });
            List<Map<String, Object>> conflicts = jdbi.withHandle(h -> h.createQuery("SELECT collection, owner, document_id, user_id, "
                            + "status, at FROM sync_conflicts ORDER BY at DESC LIMIT " + RECENT)
                    .map((rs, c) -> {
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("collection", rs.getString("collection"));
                        row.put("owner", rs.getString("owner").isEmpty() ? null : rs.getString("owner"));
                        row.put("id", rs.getString("document_id"));
                        row.put("user", rs.getString("user_id"));
                        row.put("status", rs.getString("status"));
                        row.put("at", Times.rfc3339(rs.getLong("at")));
                        return row;
                    }).list());
            Json.write(ctx, 200, Map.of("collections", byName.values(), "recent", recent, "conflicts", conflicts));
        });
    }
}
