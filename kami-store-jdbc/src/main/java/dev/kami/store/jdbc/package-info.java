/**
 * The tool store on JDBC: {@link dev.kami.store.jdbc.JdbcStoreProvider}, an embedded SQLite
 * registry by default and a PostgreSQL registry shared by several KAMI nodes. Everything else
 * lives in {@code dev.kami.store.jdbc.internal}, which is not API. Decisions: {@code docs/adr/0201}
 * to {@code 0205}.
 */
package dev.kami.store.jdbc;
