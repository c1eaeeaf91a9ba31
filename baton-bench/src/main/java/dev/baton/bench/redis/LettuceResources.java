package dev.baton.bench.redis;

import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lettuce event loops for one peer system, shared by all its client instances as Baton shares its
 * own. Threads are named {@code <system>-<pool>-<n>} rather than Lettuce's default {@code
 * lettuce-…}: the renewal scenario counts Baton's threads by that default prefix, so no other
 * system may use it.
 */
final class LettuceResources {
    private LettuceResources() {}

    static ClientResources create(String system) {
        AtomicInteger n = new AtomicInteger();
        return DefaultClientResources.builder()
                .threadFactoryProvider(
                        pool -> {
                            ThreadFactory f =
                                    r -> {
                                        Thread t =
                                                new Thread(
                                                        r,
                                                        system
                                                                + "-"
                                                                + pool
                                                                + "-"
                                                                + n.incrementAndGet());
                                        t.setDaemon(true);
                                        return t;
                                    };
                            return f;
                        })
                .build();
    }
}
