package dev.baton.spring;

import dev.baton.FencedLease;
import dev.baton.Names;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.aopalliance.aop.Advice;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * The advice behind {@link LeaderOnly}. Each method is checked when its bean is proxied, and the
 * elections named are collected ({@link #elections()}) for {@link BatonLeadership} to join at
 * startup. Thread-safe (concurrent maps only).
 */
public final class LeaderOnlyAdvisor extends AbstractPointcutAdvisor {
    private static final long serialVersionUID = 1L;

    /** A method's election and loss behaviour. */
    private record Declared(String election, boolean interruptOnLoss) {}

    private final transient Supplier<BatonLeadership> leadership;
    private final String defaultElection;
    private final transient Map<Method, Declared> methods = new ConcurrentHashMap<>();
    private final transient Set<String> elections = ConcurrentHashMap.newKeySet();

    /**
     * @param leadership looked up at the first call
     * @param defaultElection the election of a method that names none
     * @param order the advisor's order
     */
    public LeaderOnlyAdvisor(
            Supplier<BatonLeadership> leadership, String defaultElection, int order) {
        this.leadership = leadership;
        this.defaultElection = defaultElection; // checked when a method uses it
        setOrder(order);
    }

    /** The elections named by the methods proxied so far (live view). */
    public Set<String> elections() {
        return elections;
    }

    @Override
    public Pointcut getPointcut() {
        return pointcut;
    }

    @Override
    public Advice getAdvice() {
        return interceptor;
    }

    private final transient StaticMethodMatcherPointcut pointcut =
            new StaticMethodMatcherPointcut() {
                @Override
                public boolean matches(Method method, Class<?> targetClass) {
                    return declaration(AopUtils.getMostSpecificMethod(method, targetClass)) != null;
                }
            };

    private Declared declaration(Method method) {
        Declared known = methods.get(method);
        if (known != null) {
            return known;
        }
        LeaderOnly a = AnnotatedElementUtils.findMergedAnnotation(method, LeaderOnly.class);
        if (a == null) {
            return null;
        }
        return methods.computeIfAbsent(method, m -> check(m, a));
    }

    private Declared check(Method method, LeaderOnly a) {
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

    private final transient MethodInterceptor interceptor = this::invoke;

    private Object invoke(MethodInvocation call) throws Throwable {
        Class<?> target = call.getThis() != null ? AopUtils.getTargetClass(call.getThis()) : null;
        Method method = AopUtils.getMostSpecificMethod(call.getMethod(), target);
        Declared d = declaration(method);
        if (d == null) {
            return call.proceed();
        }
        BatonLeadership l = leadership.get();
        l.join(d.election()); // at once if it already is a candidate; nothing once stopped
        Optional<FencedLease> term = l.leadership(d.election());
        if (term.isEmpty()) {
            return LockedMethod.skipped(method);
        }
        return Sections.run(term.get(), d.interruptOnLoss(), false, call::proceed);
    }
}
