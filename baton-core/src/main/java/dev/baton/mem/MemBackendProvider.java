package dev.baton.mem;

import dev.baton.InvalidNameException;
import dev.baton.InvalidUriException;
import dev.baton.Names;
import dev.baton.spi.Backend;
import dev.baton.spi.BackendContext;
import dev.baton.spi.BackendProvider;
import dev.baton.spi.ConnectionUri;
import java.util.Set;

/**
 * Serves {@code mem} (the JVM's {@link MemEngine#DEFAULT default} engine) and {@code mem:name} (a
 * named engine). <b>Internal:</b> public only for {@link java.util.ServiceLoader}.
 */
public final class MemBackendProvider implements BackendProvider {

    public MemBackendProvider() {}

    @Override
    public Set<String> schemes() {
        return Set.of("mem");
    }

    @Override
    public Backend<?> open(ConnectionUri uri, BackendContext context) {
        if (!uri.hosts().isEmpty()) {
            throw new InvalidUriException(
                    uri.raw(),
                    "mem takes no host " + uri.hosts() + "; use \"mem\" or \"mem:name\"");
        }
        if (!uri.params().isEmpty()) {
            throw new InvalidUriException(
                    uri.raw(), "mem takes no parameters, but got " + uri.params().keySet());
        }
        String name = uri.path().isEmpty() ? MemEngine.DEFAULT : uri.path();
        try {
            Names.validate(name);
        } catch (InvalidNameException e) {
            throw new InvalidUriException(uri.raw(), "engine " + e.getMessage());
        }
        return new MemBackend(MemEngine.named(name), context);
    }
}
