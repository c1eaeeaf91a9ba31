package dev.baton.samples.scheduler;

import dev.baton.FencedLease;
import dev.baton.LockSnapshot;
import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /locking}: task locks over HTTP.
 *
 * <ul>
 *   <li>{@code POST /locking/{task}}: takes {@code tasks/{task}} for this instance until released;
 *       201 with the lease, or 409 naming the holder.
 *   <li>{@code DELETE /locking/{task}}: releases it; 204, or 404 if this instance does not hold it.
 *   <li>{@code POST /locking/{task}/run}: runs the task once under its lock ({@link TaskRunner});
 *       200 with the token, or 409 naming the holder.
 *   <li>{@code GET /locking}: this instance's task leases and the engine's {@code tasks/} locks.
 * </ul>
 *
 * Errors are RFC 9457 problem documents; an invalid task name is a 400 quoting the name and the
 * naming rule ({@link LockingProblems}).
 */
@RestController
@RequestMapping("/locking")
public class LockingController {
    private final TaskLocks locks;
    private final TaskRunner runner;

    public LockingController(TaskLocks locks, TaskRunner runner) {
        this.locks = locks;
        this.runner = runner;
    }

    /** One lease this instance holds. */
    public record HeldTask(String task, String lock, long token, String state, long remainingMs) {
        static HeldTask of(String task, FencedLease lease) {
            return new HeldTask(
                    task,
                    lease.name(),
                    lease.fencingToken(),
                    lease.state().name(),
                    lease.remaining().toMillis());
        }
    }

    /** One holder of a task lock, as the engine sees it. */
    public record Holder(String client, long token, String since) {
        static Holder of(LockSnapshot.Holder h) {
            return new Holder(
                    h.clientId(),
                    h.fencingToken(),
                    h.since() == null ? null : h.since().toString());
        }
    }

    /** One task lock, as the engine sees it. */
    public record TaskLock(String lock, List<Holder> holders, int waiters) {
        static TaskLock of(LockSnapshot s) {
            return new TaskLock(
                    s.name(), s.holders().stream().map(Holder::of).toList(), s.waiters());
        }
    }

    /** {@code GET /locking}. */
    public record Overview(String client, List<HeldTask> held, List<TaskLock> locks) {}

    @PostMapping("/{task}")
    public ResponseEntity<?> acquire(@PathVariable String task) {
        return locks.acquire(task)
                .<ResponseEntity<?>>map(
                        lease ->
                                ResponseEntity.created(URI.create("/locking/" + task))
                                        .body(HeldTask.of(task, lease)))
                .orElseGet(
                        () ->
                                problem(
                                        LockingProblems.busy(
                                                TaskLocks.lockName(task),
                                                locks.inspect(task).orElse(null))));
    }

    @DeleteMapping("/{task}")
    public ResponseEntity<?> release(@PathVariable String task) {
        if (locks.release(task)) {
            return ResponseEntity.noContent().build();
        }
        return problem(
                LockingProblems.notHeld(
                        TaskLocks.lockName(task),
                        locks.clientId(),
                        locks.inspect(task).orElse(null)));
    }

    @PostMapping("/{task}/run")
    public TaskRunner.Run run(@PathVariable String task) {
        return runner.run(task);
    }

    @GetMapping
    public Overview overview() {
        List<HeldTask> held =
                locks.held().entrySet().stream()
                        .sorted(Map.Entry.comparingByKey())
                        .map(e -> HeldTask.of(e.getKey(), e.getValue()))
                        .toList();
        List<TaskLock> all =
                locks.all().stream()
                        .map(TaskLock::of)
                        .sorted(Comparator.comparing(TaskLock::lock))
                        .toList();
        return new Overview(locks.clientId(), held, all);
    }

    private static ResponseEntity<ProblemDetail> problem(ProblemDetail p) {
        return ResponseEntity.status(HttpStatus.valueOf(p.getStatus())).body(p);
    }
}
