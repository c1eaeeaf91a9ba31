package dev.baton.spring;

import dev.baton.InvalidNameException;
import dev.baton.Names;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.expression.BeanFactoryResolver;
import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.core.env.Environment;
import org.springframework.expression.EvaluationException;
import org.springframework.expression.Expression;
import org.springframework.expression.ParseException;
import org.springframework.expression.common.TemplateParserContext;
import org.springframework.expression.spel.standard.SpelExpressionParser;

/**
 * One {@link Locked} method, checked once when its bean is proxied: its name template parsed, its
 * wait resolved, its skip value known. Immutable; shared by every call.
 */
final class LockedMethod {
    private static final SpelExpressionParser PARSER = new SpelExpressionParser();
    private static final TemplateParserContext TEMPLATE = new TemplateParserContext();
    private static final ParameterNameDiscoverer NAMES = new DefaultParameterNameDiscoverer();

    private final Method method;
    private final String template;
    private final Expression name; // null when the template is a literal name
    private final String literal;
    private final Duration wait;
    private final OnBusy onBusy;
    private final boolean interruptOnLoss;

    private LockedMethod(
            Method method,
            String template,
            Expression name,
            String literal,
            Duration wait,
            OnBusy onBusy,
            boolean interruptOnLoss) {
        this.method = method;
        this.template = template;
        this.name = name;
        this.literal = literal;
        this.wait = wait;
        this.onBusy = onBusy;
        this.interruptOnLoss = interruptOnLoss;
    }

    /** Checks the declaration; throws {@link InvalidLockedMethodException} naming what is wrong. */
    static LockedMethod of(Method method, Locked locked, Environment env, Duration defaultWait) {
        requireAdvisable(method, "@Locked");
        String template = locked.name();
        if (template.isBlank()) {
            throw new InvalidLockedMethodException(method, "@Locked needs a name");
        }
        Expression expression = null;
        String literal = null;
        if (template.contains(TEMPLATE.getExpressionPrefix())) {
            try {
                expression = PARSER.parseExpression(template, TEMPLATE);
            } catch (ParseException e) {
                throw new InvalidLockedMethodException(
                        method,
                        "the name template \"" + template + "\" does not parse: " + e.getMessage(),
                        e);
            }
        } else {
            try {
                literal = Names.validate(template);
            } catch (InvalidNameException e) {
                throw new InvalidLockedMethodException(
                        method, "the name \"" + template + "\" is invalid: " + e.getMessage(), e);
            }
        }
        Duration wait = defaultWait;
        if (!locked.waitFor().isBlank() && locked.onBusy() != OnBusy.WAIT) {
            throw new InvalidLockedMethodException(
                    method,
                    "waitFor \""
                            + locked.waitFor()
                            + "\" has no effect with onBusy = "
                            + locked.onBusy()
                            + ", which never waits: drop one of them");
        }
        if (!locked.waitFor().isBlank()) {
            String text = locked.waitFor();
            try {
                wait = DurationStyle.detectAndParse(env.resolveRequiredPlaceholders(text));
            } catch (RuntimeException e) {
                throw new InvalidLockedMethodException(
                        method,
                        "waitFor \"" + text + "\" is not a duration (\"10s\", \"500ms\", \"PT1M\")",
                        e);
            }
            if (wait.isNegative()) {
                throw new InvalidLockedMethodException(
                        method, "waitFor \"" + text + "\" must be zero or positive");
            }
        }
        if (locked.onBusy() == OnBusy.SKIP) {
            requireSkippable(method, "@Locked(onBusy = SKIP)");
        }
        return new LockedMethod(
                method,
                template,
                expression,
                literal,
                wait,
                locked.onBusy(),
                locked.interruptOnLoss());
    }

    /**
     * A method the advice can wrap: a proxy cannot override a final, private or static method (it
     * would run unlocked, silently), and a method that returns a future or a stream has not done
     * its work when it returns (the lock would be released first).
     */
    static void requireAdvisable(Method method, String what) {
        int mod = method.getModifiers();
        if (Modifier.isFinal(mod) || Modifier.isPrivate(mod) || Modifier.isStatic(mod)) {
            throw new InvalidLockedMethodException(
                    method,
                    what
                            + " needs a method a proxy can override: it is "
                            + Modifier.toString(
                                    mod & (Modifier.FINAL | Modifier.PRIVATE | Modifier.STATIC))
                            + ", so it would run without the lock");
        }
        Class<?> type = method.getReturnType();
        if (Future.class.isAssignableFrom(type)
                || CompletionStage.class.isAssignableFrom(type)
                || implementsNamed(type, "org.reactivestreams.Publisher")) {
            throw new InvalidLockedMethodException(
                    method,
                    what
                            + " cannot hold a lock for asynchronous work: it returns "
                            + type.getName()
                            + ", and the lock would be released before the work is done");
        }
    }

    private static boolean implementsNamed(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(name)) {
                return true;
            }
            for (Class<?> i : c.getInterfaces()) {
                if (implementsNamed(i, name)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A method that may return without running must return a reference type or void. */
    static void requireSkippable(Method method, String what) {
        if (method.getReturnType().isPrimitive() && method.getReturnType() != void.class) {
            throw new InvalidLockedMethodException(
                    method,
                    what
                            + " may not run the method, but it returns "
                            + method.getReturnType()
                            + ", which has no empty value: return a reference type or void");
        }
    }

    /** What a method that did not run returns. */
    static Object skipped(Method method) {
        return method.getReturnType() == Optional.class ? Optional.empty() : null;
    }

    /**
     * The lock name for this call.
     *
     * @throws InvalidNameException if the template cannot be evaluated, or its value is no valid
     *     name (naming the value)
     */
    String nameFor(MethodInvocation call, BeanFactory beans) {
        if (literal != null) {
            return literal;
        }
        MethodBasedEvaluationContext context =
                new MethodBasedEvaluationContext(
                        call.getThis(), method, call.getArguments(), NAMES);
        if (beans != null) {
            context.setBeanResolver(new BeanFactoryResolver(beans));
        }
        String value;
        try {
            value = name.getValue(context, String.class);
        } catch (EvaluationException e) {
            throw new InvalidNameException(
                    template, "the template could not be evaluated: " + e.getMessage());
        }
        return Names.validate(value);
    }

    Duration waitFor() {
        return wait;
    }

    OnBusy onBusy() {
        return onBusy;
    }

    boolean interruptOnLoss() {
        return interruptOnLoss;
    }

    Method method() {
        return method;
    }
}
