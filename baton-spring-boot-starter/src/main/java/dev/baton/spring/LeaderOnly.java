package dev.baton.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the method only on the instance that leads an election; on every other instance a call
 * returns at once without running it ({@code null}, or an empty {@link java.util.Optional}). Meant
 * for {@code @Scheduled} jobs that must run on exactly one copy of a service:
 *
 * <pre>{@code
 * @Scheduled(fixedDelay = 1000)
 * @LeaderOnly("settlement")
 * public void settle() {
 *     long token = BatonLocks.current().orElseThrow().fencingToken();  // the leadership's token
 *     ...
 * }
 * }</pre>
 *
 * <p>Every instance with such a method joins the election at startup ({@link BatonLeadership}). The
 * job stays with one leader while it lives, so its fencing token stays the same; when the leader
 * dies or loses its lease, another instance is elected within the lease TTL and its token is
 * larger. A run in progress when leadership is lost has its thread interrupted ({@link
 * #interruptOnLoss()}) and fails with {@link dev.baton.LeaseLostException} when it returns.
 *
 * <p>A method returning a primitive is refused at startup ({@link InvalidLockedMethodException}).
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface LeaderOnly {

    /**
     * The election: a valid Baton name. Empty means {@code baton.leader.election} (default {@code
     * leader/<spring.application.name>}, or {@code leader/application}).
     */
    String value() default "";

    /** Whether the method's thread is interrupted when leadership is lost. */
    boolean interruptOnLoss() default true;
}
