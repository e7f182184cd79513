package dev.herald.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.Test;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** A database that cannot grant a lock in time is overload (503 + Retry-After), not an internal error (500). */
class DatabaseBusyTest {
    @Test
    void lockTimeoutsOfBothDatabasesAreBusyAndOtherFailuresAreNot() {
        SQLiteException sqliteBusy = new SQLiteException("[SQLITE_BUSY] The database file is locked (database is locked)",
                SQLiteErrorCode.SQLITE_BUSY);
        assertThat(ApiServer.databaseBusy(new UnableToExecuteStatementException(sqliteBusy, null))).isTrue();
        for (String state : new String[] {"55P03", "40001", "40P01", "57014"}) {
            assertThat(ApiServer.databaseBusy(new UnableToExecuteStatementException(new SQLException("x", state), null)))
                    .as(state).isTrue();
        }
        assertThat(ApiServer.databaseBusy(new UnableToExecuteStatementException(new SQLException("dup", "23505"), null))).isFalse();
        assertThat(ApiServer.databaseBusy(new SQLiteException("[SQLITE_CONSTRAINT] UNIQUE", SQLiteErrorCode.SQLITE_CONSTRAINT)))
                .isFalse();
        assertThat(ApiServer.databaseBusy(new IllegalStateException("bug"))).isFalse();
    }
}
