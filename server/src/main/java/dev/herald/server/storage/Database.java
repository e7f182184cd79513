package dev.herald.server.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.herald.server.common.PrivateFiles;
import dev.herald.server.config.ConfigException;
import dev.herald.server.config.Settings;
import java.io.IOException;
import java.nio.file.Path;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection pool, migrations and JDBI handle for SQLite (embedded default) or PostgreSQL (several nodes).
 * Every store takes the {@link Jdbi} and {@link Dialect} from here.
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final Dialect dialect;
    private final java.util.concurrent.locks.Lock writeLock;

    private Database(HikariDataSource dataSource, Dialect dialect) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.writeLock = dialect == Dialect.SQLITE ? new java.util.concurrent.locks.ReentrantLock(true) : NoLock.INSTANCE;
        this.jdbi = Jdbi.create(dataSource);
    }

    /** Opens the pool and brings the schema up to date; a database that cannot be reached stops start-up. */
    public static Database open(Settings settings) {
        Dialect dialect = settings.postgres() ? Dialect.POSTGRESQL : Dialect.SQLITE;
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(settings.jdbcUrl());
        config.setPoolName("herald-db");
        config.setMaximumPoolSize(settings.databasePoolSize());
        config.setConnectionTimeout(10_000);
        if (dialect == Dialect.SQLITE) {
            prepareSqlite(settings, config);
        } else {
            if (!settings.databaseUser().isEmpty()) {
                config.setUsername(settings.databaseUser());
            }
            if (!settings.databasePassword().isEmpty()) {
                config.setPassword(settings.databasePassword());
            }
        }
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new ConfigException("cannot connect to " + redact(settings.jdbcUrl()) + ": " + rootMessage(e));
        }
        try {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration")
                    .placeholders(dialect.placeholders()).load().migrate();
        } catch (FlywayException e) {
            ds.close();
            throw new ConfigException("database migration failed on " + redact(settings.jdbcUrl()) + ": " + rootMessage(e));
        }
        log.info("database: {} ({})", redact(settings.jdbcUrl()), dialect.name().toLowerCase());
        return new Database(ds, dialect);
    }

    private static void prepareSqlite(Settings settings, HikariConfig config) {
        if (settings.databaseUrl().isEmpty()) {
            try {
                PrivateFiles.directory(settings.dataDir());
            } catch (IOException e) {
                throw new ConfigException("cannot create data dir " + settings.dataDir() + ": " + e.getMessage());
            }
        }
        Path file = sqliteFile(settings.jdbcUrl());
        if (file != null) {
            // SQLite creates the -wal and -shm files with the database file's mode, so an owner-only database
            // keeps all three private whatever the umask; files of an older install are tightened.
            try {
                PrivateFiles.create(file);
                for (String suffix : new String[] {"-wal", "-shm", "-journal"}) {
                    PrivateFiles.restrict(file.resolveSibling(file.getFileName() + suffix));
                }
            } catch (IOException e) {
                throw new ConfigException("cannot create " + file + ": " + e.getMessage());
            }
        }
        // WAL lets readers run beside the single writer; IMMEDIATE transactions take the write lock up front
        // so two writers queue on busy_timeout instead of failing with SQLITE_BUSY on lock upgrade.
        config.addDataSourceProperty("journal_mode", "WAL");
        config.addDataSourceProperty("synchronous", "NORMAL");
        config.addDataSourceProperty("busy_timeout", "30000");
        config.addDataSourceProperty("foreign_keys", "true");
        config.addDataSourceProperty("transaction_mode", "IMMEDIATE");
    }

    /** The file of a {@code jdbc:sqlite:PATH} URL; null for in-memory and {@code file:} URI forms. */
    static Path sqliteFile(String jdbcUrl) {
        String rest = jdbcUrl.substring("jdbc:sqlite:".length());
        int query = rest.indexOf('?');
        rest = query < 0 ? rest : rest.substring(0, query);
        if (rest.isEmpty() || rest.startsWith(":") || rest.startsWith("file:")) {
            return null;
        }
        return Path.of(rest);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage().lines().findFirst().orElse("");
    }

    /** Hides a password given in the URL. */
    static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /**
     * A lock for hot write paths. SQLite has one writer; when several threads write at once, all but one wait in
     * SQLite's busy handler, which sleeps in steps of up to 100 ms. Queueing on a fair Java lock instead hands the
     * write lock over at once. On PostgreSQL it is a no-op: rows lock individually there.
     */
    public java.util.concurrent.locks.Lock writeLock() {
        return writeLock;
    }

    public Dialect dialect() {
        return dialect;
    }

    /** Whether a trivial query succeeds now (readiness). */
    public boolean reachable() {
        try {
            return jdbi.withHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one()) == 1;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        dataSource.close();
    }

    /** The lock PostgreSQL needs: none. */
    private enum NoLock implements java.util.concurrent.locks.Lock {
        INSTANCE;

        @Override
        public void lock() {}

        @Override
        public void lockInterruptibly() {}

        @Override
        public boolean tryLock() {
            return true;
        }

        @Override
        public boolean tryLock(long time, java.util.concurrent.TimeUnit unit) {
            return true;
        }

        @Override
        public void unlock() {}

        @Override
        public java.util.concurrent.locks.Condition newCondition() {
            throw new UnsupportedOperationException();
        }
    }
}
