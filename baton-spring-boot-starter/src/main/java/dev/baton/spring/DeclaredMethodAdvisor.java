package dev.baton.spring;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.aopalliance.aop.Advice;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * What {@link LockedAdvisor} and {@link LeaderOnlyAdvisor} share: the pointcut matches methods
 * carrying {@code A}, and checks each declaration once, when its bean is proxied, so a broken one
 * stops the application at startup; a call finds its checked declaration and hands it to {@link
 * #advise}. Thread-safe: the checked declarations are kept in a concurrent map.
 *
 * @param <A> the annotation
 * @param <D> a checked declaration
 */
abstract class DeclaredMethodAdvisor<A extends Annotation, D> extends AbstractPointcutAdvisor {
    private static final long serialVersionUID = 1L;

    private final Class<A> annotation;
    private final transient Map<Method, D> methods = new ConcurrentHashMap<>();

    DeclaredMethodAdvisor(Class<A> annotation) {
        this.annotation = annotation;
    }

    /** Checks a declaration; throws {@link InvalidLockedMethodException} naming what is wrong. */
    abstract D check(Method method, A declared);

    /** Runs a call of a method declared so. */
    abstract Object advise(MethodInvocation call, Method method, D declared) throws Throwable;

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

    /** The checked declaration of {@code method}, or null if it does not carry {@code A}. */
    private D declaration(Method method) {
        D known = methods.get(method);
        if (known != null) {
            return known;
        }
        A declared = AnnotatedElementUtils.findMergedAnnotation(method, annotation);
        if (declared == null) {
            return null;
        }
        return methods.computeIfAbsent(method, m -> check(m, declared));
    }

    private final transient MethodInterceptor interceptor = this::invoke;

    private Object invoke(MethodInvocation call) throws Throwable {
        Class<?> target = call.getThis() != null ? AopUtils.getTargetClass(call.getThis()) : null;
        Method method = AopUtils.getMostSpecificMethod(call.getMethod(), target);
        D declared = declaration(method);
        return declared == null ? call.proceed() : advise(call, method, declared);
    }
}
