package dev.baton.internal;

import dev.baton.mem.MemBackendProvider;
import dev.baton.spi.AcquireRequest;
import dev.baton.spi.Backend;
import dev.baton.spi.BackendContext;
import dev.baton.spi.BackendProvider;
import dev.baton.spi.ConnectionUri;
import dev.baton.spi.PendingAcquire;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * Test engine {@code stall:NAME}: the in-memory engine {@code mem:NAME}, except that withdrawing an
 * acquisition blocks the withdrawing thread until {@link #gate} opens, like a backend that waits
 * for the engine to confirm a delete while the network stalls; and the engine's session signals are
 * not passed on.
 */
public final class StallingBackendProvider implements BackendProvider {
    static volatile CountDownLatch gate = new CountDownLatch(0);

    private static void awaitGate() {
        boolean interrupted = false;
        while (true) {
            try {
                gate.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public Set<String> schemes() {
        return Set.of("stall");
    }

    @Override
    public Backend<?> open(ConnectionUri uri, BackendContext context) {
        // The engine's own session signals would also notice a passed deadline; drop them, so that
        // only the core's lease threads can.
        BackendContext quiet =
                (BackendContext)
                        Proxy.newProxyInstance(
                                BackendContext.class.getClassLoader(),
                                new Class<?>[] {BackendContext.class},
                                (proxy, method, args) -> {
                                    if (method.getName().equals("sessionSuspended")
                                            || method.getName().equals("sessionConfirmed")) {
                                        return null;
                                    }
                                    try {
                                        return method.invoke(context, args);
                                    } catch (InvocationTargetException e) {
                                        throw e.getCause();
                                    }
                                });
        Backend<?> inner =
                new MemBackendProvider().open(ConnectionUri.parse("mem:" + uri.path()), quiet);
        return (Backend<?>)
                Proxy.newProxyInstance(
                        Backend.class.getClassLoader(),
                        new Class<?>[] {Backend.class},
                        (proxy, method, args) -> {
                            Object result;
                            try {
                                result = method.invoke(inner, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                            if (method.getName().equals("acquire")
                                    && !((AcquireRequest) args[0]).tryOnce()) {
                                PendingAcquire pending = (PendingAcquire) result;
                                return (PendingAcquire)
                                        () -> {
                                            awaitGate();
                                            pending.withdraw();
                                        };
                            }
                            return result;
                        });
    }
}
