package dev.pictor.db;

import java.sql.SQLException;

/** A database failure, unchecked so that it can cross lambdas; the cause keeps the SQLSTATE. */
public class DataAccessException extends RuntimeException {
    public DataAccessException(SQLException cause) {
        super(cause.getMessage(), cause);
    }

    public SQLException sqlException() {
        return (SQLException) getCause();
    }
}
