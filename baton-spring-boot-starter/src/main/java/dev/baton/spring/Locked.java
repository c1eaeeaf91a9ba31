package dev.baton.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.core.annotation.AliasFor;

/**
 * Runs the method while this instance holds a Baton mutex: one caller at a time across every copy
 * of the service.
 *
 * <pre>{@code
 * @Locked("orders/#{#order.id}")
 * @Transactional
 * public void settle(Order order) {
 *     long token = BatonLocks.current().orElseThrow().fencingToken();
 *     repository.settle(order, token);   // the database refuses a smaller token
 * }
 * }</pre>
 *
 * <p>The lock is taken before and released after every advice of lower precedence, which by default
 * includes {@code @Transactional}: the transaction commits while the lock is still held, so the
 * next holder reads what this one wrote ({@code baton.locked.order} moves it).
 *
 * <p>While the method runs, {@link BatonLocks#current()} is its lease. If the lease is lost (the
 * engine could not be reached for the lease TTL, the session expired), the method's thread is
 * interrupted ({@link #interruptOnLoss()}) and, when it returns, the call fails with {@link
 * dev.baton.LeaseLostException}: its effects may have overlapped another holder's, which only a
 * resource that checks the fencing token can refuse. A {@code @Locked} method called from another
 * on the same thread with the same name runs under the lease already held (reentrant).
 *
 * <p>A template that does not parse, a literal name that is invalid, an unparseable {@link
 * #waitFor()}, or {@link OnBusy#SKIP} on a method returning a primitive fail at startup with {@link
 * InvalidLockedMethodException}, naming the method. A template that evaluates to an invalid name
 * fails the call with {@link dev.baton.InvalidNameException} naming the value; nothing is acquired.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Locked {

    /** The lock name; see {@link #name()}. */
    @AliasFor("name")
    String value() default "";

    /**
     * The lock name: literal text with SpEL expressions in {@code #{…}} over the method's
     * parameters ({@code #order}, {@code #p0}, {@code #a0}) and beans ({@code @clock}), e.g. {@code
     * "orders/#{#order.id}"}. It must evaluate to a valid Baton name ({@link dev.baton.Names}).
     */
    @AliasFor("value")
    String name() default "";

    /**
     * How long to wait for the lock when it is held, for {@link OnBusy#WAIT}: {@code "10s"}, {@code
     * "500ms"}, {@code "PT1M"} or a {@code ${property}}. Empty means {@code baton.locked.wait}
     * (default 30 s).
     */
    String waitFor() default "";

    /** What to do when another holder has the lock. */
    OnBusy onBusy() default OnBusy.WAIT;

    /** Whether the method's thread is interrupted when its lease is lost. */
    boolean interruptOnLoss() default true;
}
