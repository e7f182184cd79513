package dev.herald.server.common;

import java.sql.ResultSet;
import java.sql.SQLException;

/** Result-set reads that behave the same on SQLite and PostgreSQL. */
public final class Rows {
    private Rows() {}

    /** A nullable BIGINT column (the SQLite driver refuses {@code getObject(col, Long.class)} on NULL). */
    public static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }
}
