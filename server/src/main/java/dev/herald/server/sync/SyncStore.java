package dev.herald.server.sync;

import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.Jdbi;
import dev.herald.server.storage.Dialect;

/**
 * Sync documents and their versions. How versions are numbered, and which ones a feed reader may see so that it never
 * skips a write that commits late, is {@link Versions}: a counter row per partition on SQLite, transaction ids and a
 * visibility horizon on PostgreSQL.
 */
final class SyncStore {
    private final Jdbi jdbi;
    private final Quota quota;
    private final Versions versions;

    /** Per user and collection: live documents and bytes of their JSON (in a shared collection, of the ones they own). */
    record Quota(long documents, long bytes) {}

    SyncStore(Jdbi jdbi, Quota quota) {
        this.jdbi = jdbi;
        this.quota = quota;
        this.versions = jdbi.withHandle(Dialect::of) == Dialect.POSTGRESQL ? Versions.TRANSACTION_ID : Versions.COUNTER;
    }

    /**
     * What became of one mutation. {@code doc}, {@code deleted} and {@code owner} describe the server's document on
     * conflict or forbidden.
     */
    record Result(String id, String status, long version, String doc, Boolean deleted, String owner) {}

    /** {@code owner}: in a shared collection, the user who created the document (null: a manage key did). */
    record Change(String id, long version, boolean deleted, String doc, String owner) {}

    record Page(List<Change> changes, boolean hasMore) {}

    /**
     * A partition's newest version a reader may see now (an ETag built on it changes whenever a page would), its tombstone
     * purge mark, and the horizon to read its changes below (see {@link Versions#horizon}).
     */
    record Partition(long head, long purgedThrough, long horizon) {}

    private record Current(long version, boolean deleted, String doc, String createdBy) {}

    /**
     * Applies a batch in the caller's transaction; returns one result per mutation and whether each created a document.
     * In a shared collection a live document belongs to the user who created it ({@code author}, null for a manage
     * key): another user's change to it is {@code forbidden}, only its owner or a manage key may change or delete it.
     * Must be the transaction's first write (see {@link Versions#begin}).
     */
    List<Applied> apply(Handle h, String collection, String owner, boolean shared, String author, List<Mutation> mutations,
            long now) {
        Versions.Batch batch = versions.begin(h, collection, owner, mutations);
        List<Applied> results = new ArrayList<>();
        Usage usage = new Usage();
        for (int position = 0; position < mutations.size(); position++) {
            Mutation m = mutations.get(position);
            Optional<Current> current = h.createQuery("SELECT version, deleted, doc, created_by FROM sync_documents "
                            + "WHERE collection = ? AND owner = ? AND id = ?")
                    .bind(0, collection).bind(1, owner).bind(2, m.id())
                    .map((rs, ctx) -> new Current(rs.getLong("version"), rs.getInt("deleted") == 1, rs.getString("doc"),
                            rs.getString("created_by")))
                    .findOne();
            boolean live = current.isPresent() && !current.get().deleted();
            long currentVersion = current.map(Current::version).orElse(0L);
            long base = m.baseVersion() == null ? 0 : m.baseVersion();
            // The client's view must be the server's: the version it saw, or "absent" when the document is absent or deleted.
            boolean matches = base == currentVersion || (!live && base == 0);
            if (m.delete() && !live) {
                results.add(new Applied(new Result(m.id(), "applied", currentVersion, null, null, null), false));
                continue;
            }
            if (shared && live && author != null && !author.equals(current.get().createdBy())) {
                Current c = current.get();
                results.add(new Applied(new Result(m.id(), "forbidden", c.version(), c.doc(), false, c.createdBy()), false));
                continue;
            }
            if (!matches) {
                // The client expected a version the server does not have; absent counts as deleted at version 0.
                Current c = current.orElse(new Current(0, true, null, null));
                results.add(new Applied(new Result(m.id(), "conflict", c.version(), c.deleted() ? null : c.doc(), c.deleted(),
                        c.deleted() ? null : c.createdBy()), false));
                continue;
            }
            // A live document keeps its owner; a new one (or one re-created over a tombstone) belongs to its writer.
            String createdBy = !shared ? null : live ? current.get().createdBy() : author;
            usage.change(shared ? createdBy : owner, live ? current.get().doc() : null, m.delete() ? null : m.doc(), live);
            long version = batch.next(position);
            if (version <= currentVersion) {
                throw new IllegalStateException("sync version " + version + " would not follow " + currentVersion + " of " + m.id()
                        + ": the batch was not its transaction's first write");
            }
            h.createUpdate("INSERT INTO sync_documents (collection, owner, id, version, deleted, doc, updated_at, created_by) "
                            + "VALUES (:c, :o, :id, :v, :d, :doc, :now, :by) ON CONFLICT (collection, owner, id) DO UPDATE SET "
                            + "version = excluded.version, deleted = excluded.deleted, doc = excluded.doc, updated_at = excluded.updated_at, "
                            + "created_by = excluded.created_by")
                    .bind("c", collection).bind("o", owner).bind("id", m.id()).bind("v", version).bind("d", m.delete() ? 1 : 0)
                    .bind("doc", m.delete() ? null : m.doc()).bind("now", now).bind("by", createdBy).execute();
            results.add(new Applied(new Result(m.id(), "applied", version, null, null, null), !m.delete() && !live));
        }
        batch.end();
        usage.record(h, collection, author != null);
        recordRefusals(h, collection, owner, author, results, now);
        return results;
    }

    /** How many refused mutations the console keeps per collection (the latest). */
    static final int KEPT_REFUSALS = 100;

    /** Stores the batch's conflicts and forbidden answers for the console, then drops all but the latest of the collection. */
    private static void recordRefusals(Handle h, String collection, String owner, String author, List<Applied> results, long now) {
        PreparedBatch batch = h.prepareBatch("INSERT INTO sync_conflicts (collection, owner, document_id, user_id, status, at) "
                + "VALUES (?, ?, ?, ?, ?, ?)");
        for (Applied a : results) {
            if (!a.result().status().equals("applied")) {
                batch.add(collection, owner, a.result().id(), author, a.result().status(), now);
            }
        }
        if (batch.size() == 0) {
            return;
        }
        batch.execute();
        // Writers of one collection run side by side on PostgreSQL: one trimmer at a time, so two cannot deadlock.
        Dialect.of(h).lock(h, "sync_conflicts/" + collection);
        h.createUpdate("DELETE FROM sync_conflicts WHERE collection = :c AND at < (SELECT MIN(at) FROM (SELECT at FROM sync_conflicts "
                        + "WHERE collection = :c ORDER BY at DESC LIMIT " + KEPT_REFUSALS + ") AS kept)")
                .bind("c", collection).execute();
    }

    /** A batch's change to what each user keeps; recorded (and checked) once, at the end of the batch. */
    private final class Usage {
        // Sorted: concurrent batches lock users' rows in one order, so they cannot deadlock.
        private final java.util.Map<String, long[]> deltas = new java.util.TreeMap<>();

        void change(String user, String before, String after, boolean wasLive) {
            if (user == null) {
                return; // a shared document a manage key created belongs to nobody's quota
            }
            long[] d = deltas.computeIfAbsent(user, u -> new long[2]);
            d[0] += (after != null ? 1 : 0) - (wasLive ? 1 : 0);
            d[1] += bytes(after) - bytes(before);
        }

        /**
         * Adds the deltas to each user's row. Its lock (PostgreSQL) makes check and write one step across nodes; a
         * batch that grows a count past the quota throws, rolling the whole batch back. Shrinking always passes.
         */
        void record(Handle h, String collection, boolean enforce) {
            for (var e : deltas.entrySet()) {
                long[] d = e.getValue();
                if (d[0] == 0 && d[1] == 0) {
                    continue;
                }
                long[] now = h.createQuery("INSERT INTO sync_usage (collection, user_id, documents, bytes) VALUES (?, ?, ?, ?) "
                                + "ON CONFLICT (collection, user_id) DO UPDATE SET documents = sync_usage.documents + excluded.documents, "
                                + "bytes = sync_usage.bytes + excluded.bytes RETURNING documents, bytes")
                        .bind(0, collection).bind(1, e.getKey()).bind(2, d[0]).bind(3, d[1])
                        .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2)}).one();
                if (enforce && d[0] > 0 && now[0] > quota.documents()) {
                    throw new ApiException(ErrorCode.SYNC_QUOTA_EXCEEDED, "this batch would make " + now[0]
                            + " documents in '" + collection + "'; the quota is " + quota.documents());
                }
                if (enforce && d[1] > 0 && now[1] > quota.bytes()) {
                    throw new ApiException(ErrorCode.SYNC_QUOTA_EXCEEDED, "this batch would make " + now[1]
                            + " bytes of documents in '" + collection + "'; the quota is " + quota.bytes());
                }
            }
        }

        private static long bytes(String doc) {
            return doc == null ? 0 : doc.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }
    }

    record Applied(Result result, boolean created) {}

    Partition partition(String collection, String owner) {
        return jdbi.withHandle(h -> {
            long horizon = versions.horizon(h, collection, owner);
            return h.createQuery("SELECT (SELECT MAX(version) FROM sync_documents WHERE collection = :c AND owner = :o AND version < :h) "
                            + "AS head, (SELECT purged_through FROM sync_counters WHERE collection = :c AND owner = :o) AS purged")
                    .bind("c", collection).bind("o", owner).bind("h", horizon)
                    .map((rs, ctx) -> new Partition(rs.getLong("head"), rs.getLong("purged"), horizon))
                    .one();
        });
    }

    /** {@code horizon}: from {@link #partition}, read before. */
    Page changes(String collection, String owner, long since, int limit, long horizon) {
        return jdbi.withHandle(h -> {
            List<Change> rows = h.createQuery("SELECT id, version, deleted, doc, created_by FROM sync_documents WHERE collection = ? "
                            + "AND owner = ? AND version > ? AND version < ? ORDER BY version LIMIT ?")
                    .bind(0, collection).bind(1, owner).bind(2, since).bind(3, horizon).bind(4, limit + 1)
                    .map((rs, ctx) -> new Change(rs.getString("id"), rs.getLong("version"), rs.getInt("deleted") == 1, rs.getString("doc"),
                            rs.getString("created_by")))
                    .list();
            boolean more = rows.size() > limit;
            return new Page(more ? rows.subList(0, limit) : rows, more);
        });
    }

    /**
     * Removes tombstones last changed before {@code before} and raises each partition's purge mark to the newest
     * version removed, so cursors from before it get 410 and reset. Returns how many were removed.
     */
    int purgeTombstones(long before) {
        return jdbi.inTransaction(h -> {
            List<Object[]> marks = h.createQuery("SELECT collection, owner, MAX(version) AS v FROM sync_documents "
                            + "WHERE deleted = 1 AND updated_at < ? GROUP BY collection, owner")
                    .bind(0, before)
                    .map((rs, ctx) -> new Object[] {rs.getString("collection"), rs.getString("owner"), rs.getLong("v")})
                    .list();
            for (Object[] m : marks) {
                // On PostgreSQL writes never make the partition's row: the purge mark may be its first use.
                h.createUpdate("INSERT INTO sync_counters (collection, owner, version, purged_through) VALUES (?, ?, 0, ?) "
                                + "ON CONFLICT (collection, owner) DO UPDATE SET purged_through = excluded.purged_through "
                                + "WHERE sync_counters.purged_through < excluded.purged_through")
                        .bind(0, (String) m[0]).bind(1, (String) m[1]).bind(2, (long) m[2]).execute();
            }
            return h.createUpdate("DELETE FROM sync_documents WHERE deleted = 1 AND updated_at < ?").bind(0, before).execute();
        });
    }

    Jdbi jdbi() {
        return jdbi;
    }
}
