/**
 * Implementation of the JDBC store: connections, migrations, SQL. Not API: anything here may
 * change in any release; use {@link dev.kami.store.jdbc.JdbcStoreProvider} through
 * {@link dev.kami.spi.StoreProvider}.
 */
package dev.kami.store.jdbc.internal;
