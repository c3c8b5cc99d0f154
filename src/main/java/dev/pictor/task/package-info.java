/**
 * The task engine: {@link dev.pictor.task.TaskService} (submit, cancel, wait),
 * {@link dev.pictor.task.TaskStore} (every task statement; each ending is one conditional write),
 * the {@link dev.pictor.task.Dispatcher} (claims with leases, runs a task along its routes with
 * retries and fallback), the {@link dev.pictor.task.Sweeper}, and {@link dev.pictor.task.TaskView}
 * (the status body). It imports upstream, catalog, media, storage, net, db, metrics and common, and
 * knows nothing of webhooks ({@code TaskStore.TerminalListener}) or HTTP routes.
 */
package dev.pictor.task;
