package dev.baton.spring;

import dev.baton.BatonException;
import java.lang.reflect.Method;

/**
 * A {@link Locked} or {@link LeaderOnly} method that cannot work as declared: thrown at startup,
 * when the bean is created, naming the method and what is wrong.
 */
public class InvalidLockedMethodException extends BatonException {
    private static final long serialVersionUID = 1L;

    private final transient Method method;

    public InvalidLockedMethodException(Method method, String problem) {
        super(method.getDeclaringClass().getName() + "." + method.getName() + ": " + problem);
        this.method = method;
    }

    public InvalidLockedMethodException(Method method, String problem, Throwable cause) {
        super(
                method.getDeclaringClass().getName() + "." + method.getName() + ": " + problem,
                cause);
        this.method = method;
    }

    /** The method declared wrongly. */
    public Method method() {
        return method;
    }
}
