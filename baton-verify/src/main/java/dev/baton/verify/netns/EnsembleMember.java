package dev.baton.verify.netns;

import org.apache.zookeeper.server.quorum.QuorumPeerMain;

/**
 * The main class of one {@link NetnsEnsemble} member JVM: runs ZooKeeper's {@link QuorumPeerMain}
 * with the {@code zoo.cfg} given as the only argument. Internal to baton-verify; not for users.
 *
 * <p>The member exits when the JVM that started it does, so that a SIGKILLed owner (which runs no
 * shutdown hook) leaves no ZooKeeper servers behind; {@code ip netns exec} execs, so the parent of
 * this JVM is the owner itself.
 */
public final class EnsembleMember {
    private EnsembleMember() {}

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: EnsembleMember <zoo.cfg>");
            System.exit(2);
        }
        ProcessHandle.current()
                .parent()
                .ifPresent(
                        owner ->
                                owner.onExit()
                                        .thenRun(
                                                () -> {
                                                    System.err.println(
                                                            "owner JVM "
                                                                    + owner.pid()
                                                                    + " is gone; exiting");
                                                    // halt, not exit: ZooKeeper's non-daemon
                                                    // threads and hooks must not keep us alive.
                                                    Runtime.getRuntime().halt(0);
                                                }));
        QuorumPeerMain.main(args);
    }
}
