package dev.kami.store.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Work done on one connection, inside one transaction for writes.
 *
 * @param <T> the result
 */
@FunctionalInterface
interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}
