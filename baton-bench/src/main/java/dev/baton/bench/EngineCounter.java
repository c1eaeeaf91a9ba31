package dev.baton.bench;

/**
 * Reads how many commands (Redis: calls in {@code INFO commandstats}; ZooKeeper: requests, e.g.
 * {@code zk_packets_received} from {@code mntr}) the engine has processed so far. The harness takes
 * the difference around a measured phase and divides by the operations done.
 */
public interface EngineCounter {
    long commands() throws Exception;
}
