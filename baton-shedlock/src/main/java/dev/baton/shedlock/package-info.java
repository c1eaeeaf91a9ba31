/**
 * A ShedLock {@link net.javacrumbs.shedlock.core.LockProvider} backed by Baton: {@link
 * dev.baton.shedlock.BatonLockProvider}.
 *
 * <p>Swap one bean and ShedLock's {@code @SchedulerLock} tasks (or {@code LockingTaskExecutor}
 * calls) lock through Baton:
 *
 * <pre>{@code
 * @Bean
 * LockProvider lockProvider(Baton baton) {
 *     return new BatonLockProvider(baton);
 * }
 * }</pre>
 *
 * <p>ShedLock's promises are kept: {@code lock} never waits; {@code lockAtMostFor} caps a holder
 * that is still running; {@code lockAtLeastFor} keeps the name after an early unlock; {@code
 * extend} moves both deadlines and spends the old handle. Baton's are added: a crashed node's lock
 * frees within the lease TTL instead of after {@code lockAtMostFor}; no clock agreement between
 * nodes; and the task reads its lease, fencing token and loss signal through {@link
 * dev.baton.shedlock.BatonLockProvider#currentLease()}. The differences (notably: {@code
 * lockAtLeastFor} does not survive a crash, and how names that Baton rejects are escaped) are
 * listed on {@link dev.baton.shedlock.BatonLockProvider}.
 *
 * <p>Compiled against ShedLock 7; uses only API that ShedLock 6.10 has as well ({@code
 * ExtensibleLockProvider}, {@code SimpleLock}, {@code LockConfiguration}'s durations, {@code
 * ClockProvider}), so either works at run time.
 */
package dev.baton.shedlock;
