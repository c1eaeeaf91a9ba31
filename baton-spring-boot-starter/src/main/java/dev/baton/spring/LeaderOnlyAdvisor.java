package dev.baton.spring;

import dev.baton.FencedLease;
import dev.baton.Names;
import java.lang.reflect.Method;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.aopalliance.intercept.MethodInvocation;

/**
 * The advice behind {@link LeaderOnly}. Each method is checked when its bean is proxied, and the
 * elections named are collected ({@link #elections()}) for {@link BatonLeadership} to join at
 * startup. Thread-safe (concurrent maps only).
 */
public final class LeaderOnlyAdvisor
        extends DeclaredMethodAdvisor<LeaderOnly, LeaderOnlyAdvisor.Declared> {
    private static final long serialVersionUID = 1L;

    /** A method's election and loss behaviour. */
    record Declared(String election, boolean interruptOnLoss) {}

    private final transient Supplier<BatonLeadership> leadership;
    private final String defaultElection;
    private final transient Set<String> elections = ConcurrentHashMap.newKeySet();

    /**
     * @param leadership looked up at the first call
     * @param defaultElection the election of a method that names none
     * @param order the advisor's order
     */
    public LeaderOnlyAdvisor(
            Supplier<BatonLeadership> leadership, String defaultElection, int order) {
        super(LeaderOnly.class);
        this.leadership = leadership;
        this.defaultElection = defaultElection; // checked when a method uses it
        setOrder(order);
    }

    /** The elections named by the methods proxied so far (live view). */
    public Set<String> elections() {
        return elections;
    }

    @Override
    Declared check(Method method, LeaderOnly a) {
        LockedMethod.requireAdvisable(method, "@LeaderOnly");
        LockedMethod.requireSkippable(method, "@LeaderOnly");
        boolean byDefault = a.value().isBlank();
        String election = byDefault ? defaultElection : a.value();
        try {
            Names.validate(election);
        } catch (RuntimeException e) {
            throw new InvalidLockedMethodException(
                    method,
                    "the election \""
                            + election
                            + "\" is invalid"
                            + (byDefault
                                    ? " (the default, from baton.leader.election or"
                                            + " spring.application.name: set baton.leader.election)"
                                    : "")
                            + ": "
                            + e.getMessage(),
                    e);
        }
        elections.add(election);
        return new Declared(election, a.interruptOnLoss());
    }

    @Override
    Object advise(MethodInvocation call, Method method, Declared d) throws Throwable {
        BatonLeadership l = leadership.get();
        l.join(d.election()); // at once if it already is a candidate; nothing once stopped
        Optional<FencedLease> term = l.leadership(d.election());
        if (term.isEmpty()) {
            return LockedMethod.skipped(method);
        }
        return Sections.run(term.get(), d.interruptOnLoss(), false, call::proceed);
    }
}
