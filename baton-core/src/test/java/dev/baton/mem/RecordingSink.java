package dev.baton.mem;

import dev.baton.spi.GrantSink;
import dev.baton.spi.NotAcquiredException;
import java.util.concurrent.CompletableFuture;

/** A core stand-in for one acquisition: completes with the granted entry, or with the failure. */
final class RecordingSink extends CompletableFuture<MemQueues.Entry>
        implements GrantSink<MemQueues.Entry> {

    @Override
    public void granted(long fencingToken, long sentAtNanos, MemQueues.Entry grant) {
        complete(grant);
    }

    @Override
    public void denied() {
        completeExceptionally(new NotAcquiredException("denied"));
    }

    @Override
    public void failed(Throwable error) {
        completeExceptionally(error);
    }
}
