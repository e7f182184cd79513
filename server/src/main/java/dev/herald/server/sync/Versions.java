package dev.herald.server.sync;

import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * How a write transaction numbers its changes, and up to which number a feed reader may return them, so that a reader
 * paging by version never skips a write that commits after it read.
 *
 * <p>{@link #COUNTER} (SQLite): one counter row per partition, taken first by every write; SQLite has one writer at a
 * time, so versions are handed out in commit order and every committed version is readable at once.
 *
 * <p>{@link #TRANSACTION_ID} (PostgreSQL): no shared row, so writers to one partition commit side by side (a counter
 * row held through every commit, WAL flush included, capped a shared collection at ~450 writes/s). A batch's versions
 * are {@code xid << 10 | position}, {@code xid} being the writing transaction's id. Before it takes its id, a writer
 * registers in the partition with a shared advisory lock, which PostgreSQL releases only after the transaction has
 * ended. A reader first computes a horizon: the lowest id of a registered writer still holding one (from
 * {@code pg_locks}), and at most the end of its snapshot ({@code xmax}: any writer that registers later takes a higher
 * id). Its page read, a moment later, returns only versions below the horizon; every version at or above it that
 * commits later is read next time. The cost is a short lag while an older writer of the same partition runs, not a
 * skip.
 */
enum Versions {
    COUNTER {
        @Override
        Batch begin(Handle h, String collection, String owner, List<Mutation> mutations) {
            h.createUpdate("INSERT INTO sync_counters (collection, owner, version) VALUES (?, ?, 0) ON CONFLICT DO NOTHING")
                    .bind(0, collection).bind(1, owner).execute();
            long head = h.createQuery("UPDATE sync_counters SET version = version WHERE collection = ? AND owner = ? RETURNING version")
                    .bind(0, collection).bind(1, owner).mapTo(Long.class).one();
            return new Batch() {
                long version = head;

                @Override
                public long next(int position) {
                    return ++version;
                }

                @Override
                public void end() {
                    h.createUpdate("UPDATE sync_counters SET version = ? WHERE collection = ? AND owner = ?")
                            .bind(0, version).bind(1, collection).bind(2, owner).execute();
                }
            };
        }

        @Override
        long horizon(Handle h, String collection, String owner) {
            return Long.MAX_VALUE;
        }
    },

    TRANSACTION_ID {
        @Override
        Batch begin(Handle h, String collection, String owner, List<Mutation> mutations) {
            // Each document is locked (in one order, so two batches cannot deadlock) before its current version is read:
            // without a partition row this is what makes check-then-write on one document atomic. Then the registration,
            // and only then the transaction id: so it is above the id of every transaction that already wrote these
            // documents (a document's version only grows), and registered before it exists (see the class comment).
            long xid = h.createQuery("SELECT pg_current_xact_id()::text::bigint AS xid, registered FROM ("
                            + "SELECT n, pg_advisory_xact_lock_shared(:p, 0)::text AS registered FROM ("
                            + "SELECT COUNT(pg_advisory_xact_lock(k)) AS n FROM (SELECT hashtextextended(:c || '/' || :o || '/' || id, 0) AS k "
                            + "FROM unnest(:ids) AS id ORDER BY k) AS keys) AS locked) AS r")
                    .bind("c", collection).bind("o", owner).bind("p", registration(collection, owner))
                    .bindArray("ids", String.class, mutations.stream().map(Mutation::id).toList())
                    .map((rs, ctx) -> rs.getLong("xid")).one();
            if (xid >= 1L << (53 - POSITION_BITS)) {
                // Versions travel as JSON numbers; past 2^53 a JavaScript client would round them.
                throw new IllegalStateException("transaction id " + xid + " is past what sync versions can carry");
            }
            return new Batch() {
                @Override
                public long next(int position) {
                    return xid << POSITION_BITS | position;
                }

                @Override
                public void end() {}
            };
        }

        @Override
        long horizon(Handle h, String collection, String owner) {
            // A registered writer whose id is not in pg_locks yet may have taken it just before this snapshot: the
            // snapshot's xmin bounds it. Ids in pg_locks are 32 bits; they are widened next to the snapshot's xmax.
            return h.createQuery("WITH s AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin, "
                            + "pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax), "
                            + "l AS MATERIALIZED (SELECT locktype, pid, transactionid FROM pg_locks WHERE granted AND ("
                            + "(locktype = 'transactionid' AND mode = 'ExclusiveLock') OR (locktype = 'advisory' AND objsubid = 2 "
                            + "AND objid::text = '0' AND classid::text = :p AND database = (SELECT oid FROM pg_database "
                            + "WHERE datname = current_database())))), "
                            + "w AS (SELECT t.transactionid::text::bigint AS x32 FROM l AS r LEFT JOIN l AS t "
                            + "ON t.pid = r.pid AND t.locktype = 'transactionid' WHERE r.locktype = 'advisory') "
                            + "SELECT LEAST(s.xmax, COALESCE((SELECT MIN(CASE WHEN x32 IS NULL THEN s.xmin "
                            + "ELSE s.xmax + (x32 - s.xmax % 4294967296 + 6442450944) % 4294967296 - 2147483648 END) FROM w), s.xmax)) "
                            + "FROM s")
                    .bind("p", Integer.toString(registration(collection, owner)))
                    .mapTo(Long.class).one() << POSITION_BITS;
        }
    };

    /** The partition's advisory lock key (its collisions only make a reader wait for another partition's writer). */
    private static int registration(String collection, String owner) {
        return (collection + "/" + owner).hashCode() & Integer.MAX_VALUE;
    }

    /** Room for the position of a mutation in its batch; {@code max-mutations} is at most 1000. */
    static final int POSITION_BITS = 10;

    /** The version source of one write transaction. */
    interface Batch {
        /** The version of the mutation at {@code position} in the batch, above every version it replaces. */
        long next(int position);

        /** Called once, after the batch's last write. */
        void end();
    }

    /** Called first in a write transaction, before any other write: {@code TRANSACTION_ID} needs its id taken here. */
    abstract Batch begin(Handle h, String collection, String owner, List<Mutation> mutations);

    /**
     * The versions a feed reader may return: those below this. Compute it before the page is read (a horizon stays
     * true later, only more cautious than needed).
     */
    abstract long horizon(Handle h, String collection, String owner);
}
