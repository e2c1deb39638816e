// Package liveness tells a dead worker process from a slow one, so that the
// questions a dead process was answering move to a live one within seconds,
// while a live process's jobs are never touched however long they run.
//
// Each worker process registers an Instance: a row in
// analytics_bot.instances and a session-level advisory lock keyed by that
// row, held on a connection of its own for the life of the process.
// PostgreSQL releases the lock the moment that connection ends, which is
// the moment the process dies (SIGKILL, out of memory); for a lost host,
// the connection's TCP keepalives end it within seconds. The lock is the
// proof of life: nothing is inferred from time, so a job that runs long on
// a live process is never taken from it.
//
// One instance at a time is the reaper, chosen by another advisory lock
// that PostgreSQL also releases when its holder dies (River's own leader
// election would leave a dead leader in charge for up to 20 s). Every
// Interval the reaper finds instances without their lock; once the lock
// has stayed released for Confirm (time for a live process whose
// connection merely dropped to take it again), it makes that instance's
// running jobs available at once, recording "process died" as the
// attempt's error and, in the job's metadata, when the instance was last
// seen alive, from which PickupHook measures the delay from death to
// pickup.
//
// River's own stuck-job rescue (RescueStuckJobsAfter) stays as a last
// resort for what the lock cannot show: a live process whose job ignores
// its cancellation, and the jobs of a process that never registered (no
// row: nothing is ever taken early). Whoever holds a dead instance's lock
// (any session may take advisory locks) only delays its failover to that
// rescue. The lock needs a real session, not a transaction-pooling proxy.
package liveness
