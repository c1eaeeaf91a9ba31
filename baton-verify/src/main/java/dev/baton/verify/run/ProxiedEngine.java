package dev.baton.verify.run;

import dev.baton.faults.FaultProxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every engine shares: one {@link FaultProxy} per (client key, server), created on first use
 * and kept for the client's later incarnations, so a client fault hits exactly one client.
 *
 * <p>Threads: the proxy map is guarded by {@code this}.
 */
abstract class ProxiedEngine implements EngineUnderTest {
    private final Map<String, List<FaultProxy>> proxies = new LinkedHashMap<>();

    /** The servers' {@code host:port}, in member order. */
    abstract List<String> serverAddresses();

    /** The client URI for the given proxy addresses. */
    abstract String uriFor(List<String> proxyAddresses);

    @Override
    public final synchronized String clientUri(String clientKey) {
        List<FaultProxy> mine =
                proxies.computeIfAbsent(
                        clientKey,
                        k -> {
                            List<FaultProxy> list = new ArrayList<>();
                            for (String address : serverAddresses()) {
                                int colon = address.lastIndexOf(':');
                                list.add(
                                        FaultProxy.start(
                                                address.substring(0, colon),
                                                Integer.parseInt(address.substring(colon + 1))));
                            }
                            return list;
                        });
        return uriFor(mine.stream().map(FaultProxy::address).toList());
    }

    @Override
    public final synchronized List<FaultProxy> proxies(String clientKey) {
        return List.copyOf(proxies.getOrDefault(clientKey, List.of()));
    }

    /** Closes every proxy; subclasses close their servers after. */
    protected final synchronized void closeProxies() {
        proxies.values().forEach(list -> list.forEach(FaultProxy::close));
        proxies.clear();
    }
}
