package dev.baton.spring;

import dev.baton.Baton;
import dev.baton.FencedLease;
import dev.baton.LeaseKind;
import dev.baton.Mutex;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import org.aopalliance.intercept.MethodInvocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.Advisor;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * The advice behind {@link Locked}: an infrastructure advisor that the auto-configuration registers
 * (a plain Spring application can declare it as a bean too). Its order decides which other advice
 * runs inside the lock; by default it is outside {@code @Transactional}.
 *
 * <p>Each {@code @Locked} method is checked when its bean is proxied, so a broken declaration stops
 * the application at startup. Thread-safe: the checked methods are kept in a concurrent map, and a
 * call touches only its own thread's {@link Sections}.
 */
public final class LockedAdvisor extends DeclaredMethodAdvisor<Locked, LockedMethod>
        implements BeanFactoryAware, SmartInitializingSingleton {
    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(LockedAdvisor.class);

    private final transient Supplier<Baton> baton;
    private final transient Environment env;
    private final Duration defaultWait;
    private transient BeanFactory beans;

    /**
     * @param baton the client, looked up at the first call (so the advisor, created early, does not
     *     drag the client's dependencies in with it)
     * @param env resolves {@code ${…}} in {@link Locked#waitFor()}
     * @param defaultWait the wait of a method that names none
     * @param order the advisor's order; lower runs outside (transactions default to {@code
     *     Ordered.LOWEST_PRECEDENCE})
     */
    public LockedAdvisor(Supplier<Baton> baton, Environment env, Duration defaultWait, int order) {
        super(Locked.class);
        this.baton = baton;
        this.env = env;
        this.defaultWait = defaultWait;
        setOrder(order);
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beans = beanFactory;
    }

    /**
     * Warns when transactions run outside the lock: the lock would be released before the commit,
     * and the next holder could read what this one has not committed yet.
     */
    @Override
    public void afterSingletonsInstantiated() {
        if (!(beans instanceof ListableBeanFactory listable)) {
            return;
        }
        listable.getBeansOfType(Advisor.class, false, false)
                .forEach(
                        (name, advisor) -> {
                            if (advisor.getClass()
                                            .getName()
                                            .endsWith("TransactionAttributeSourceAdvisor")
                                    && advisor instanceof Ordered tx
                                    && tx.getOrder() <= getOrder()) {
                                log.warn(
                                        "@Transactional (order {}) runs outside @Locked (order {}):"
                                                + " locks are released before the commit, which"
                                                + " reopens the race; set baton.locked.order below {}",
                                        tx.getOrder(),
                                        getOrder(),
                                        tx.getOrder());
                            }
                        });
    }

    @Override
    LockedMethod check(Method method, Locked declared) {
        return LockedMethod.of(method, declared, env, defaultWait);
    }

    @Override
    Object advise(MethodInvocation call, Method method, LockedMethod m) throws Throwable {
        String name = m.nameFor(call, beans);
        if (Sections.find(LeaseKind.MUTEX, name) != null) {
            return call.proceed(); // this thread holds it already: reentrant
        }
        Mutex mutex = baton.get().mutex(name);
        FencedLease lease;
        switch (m.onBusy()) {
            case WAIT -> lease = mutex.acquire(m.waitFor());
            case FAIL -> lease = mutex.acquire(Duration.ZERO);
            case SKIP -> {
                Optional<FencedLease> got = mutex.tryAcquire();
                if (got.isEmpty()) {
                    return LockedMethod.skipped(m.method());
                }
                lease = got.get();
            }
            default -> throw new IllegalStateException("unknown " + m.onBusy());
        }
        return Sections.run(lease, m.interruptOnLoss(), true, call::proceed);
    }
}
