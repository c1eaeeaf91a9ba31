package dev.baton.samples.scheduler;

import dev.baton.InvalidNameException;
import dev.baton.LockSnapshot;
import dev.baton.LockTimeoutException;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * The {@code /locking} errors as RFC 9457 problem documents: each says what was asked ({@code
 * lock}, or {@code name} for an invalid one) and what was seen ({@code holders}).
 */
@RestControllerAdvice(assignableTypes = LockingController.class)
public class LockingProblems {

    /** 400: the task makes no valid lock name; the message quotes it and states the rule. */
    @ExceptionHandler
    public ProblemDetail invalidName(InvalidNameException e) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
        p.setTitle("Invalid task name");
        p.setProperty("name", e.name());
        return p;
    }

    /** 409: someone holds the task ({@link TaskRunner} with {@code onBusy = FAIL}). */
    @ExceptionHandler
    public ProblemDetail busy(LockTimeoutException e) {
        return busy(e.name(), e.seen().orElse(null));
    }

    /** 409: {@code lock} is held; {@code seen} is the engine's view, if it could be read. */
    static ProblemDetail busy(String lock, LockSnapshot seen) {
        ProblemDetail p =
                ProblemDetail.forStatusAndDetail(
                        HttpStatus.CONFLICT,
                        lock + " is busy: " + (seen == null ? "held" : seen.describeHolders()));
        p.setTitle("Task busy");
        p.setProperty("lock", lock);
        p.setProperty("holders", holders(seen));
        return p;
    }

    /** 404: this instance holds no lease on {@code lock}. */
    static ProblemDetail notHeld(String lock, String client, LockSnapshot seen) {
        ProblemDetail p =
                ProblemDetail.forStatusAndDetail(
                        HttpStatus.NOT_FOUND,
                        client
                                + " does not hold "
                                + lock
                                + " ("
                                + (seen == null ? "not held" : seen.describeHolders())
                                + ")");
        p.setTitle("Task not held here");
        p.setProperty("lock", lock);
        p.setProperty("holders", holders(seen));
        return p;
    }

    private static List<LockingController.Holder> holders(LockSnapshot seen) {
        return seen == null
                ? List.of()
                : seen.holders().stream().map(LockingController.Holder::of).toList();
    }
}
