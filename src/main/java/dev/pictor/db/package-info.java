/**
 * Database plumbing for H2 and PostgreSQL: {@link dev.pictor.db.Database} (pool and Flyway
 * migrations), {@link dev.pictor.db.Jdbc} (plain JDBC, transactions, instant binding),
 * {@link dev.pictor.db.Dialect} (the few differences), {@link dev.pictor.db.GroupCommit} (concurrent
 * small write transactions folded into one commit), {@link dev.pictor.db.PeerWakeups} (NOTIFY
 * between nodes), {@code H2Housekeeping} (keeps the embedded H2 file from growing without bound)
 * and {@link dev.pictor.db.AppSettings} (values all nodes share). It imports only {@code common}
 * from Pictor; the stores live with their features (task, webhook, auth).
 */
package dev.pictor.db;
