package dev.baton.verify.netns;

import dev.baton.InvalidArgumentException;
import dev.baton.verify.netns.NetnsNames.Cidr;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.zookeeper.client.FourLetterWordMain;

/**
 * A ZooKeeper ensemble whose members are child JVMs, each in its own Linux network namespace, so
 * that the kernel can cut the network between two members: the faults {@code baton verify --backend
 * zookeeper} needs (partition a follower from its leader, isolate a member) besides kill and
 * restart. Needs root; {@link #unavailableReason()} says why not, and callers then fall back to the
 * in-process {@code ZooKeeperEnsemble} of baton-faults. Internal to baton-verify; not for users.
 *
 * <h2>The network</h2>
 *
 * A bridge in the root namespace holds the {@code .254} address of a free /24 in 10.0.0.0/8 (one
 * that overlaps no route of the root namespace when the ensemble starts); member {@code i} sits
 * behind a veth on that bridge with address {@code .(i+1)}, its ZooKeeper on port 2181 (clients),
 * 2888 (quorum) and 3888 (election). Clients in the root namespace reach every member directly.
 * Member JVMs run {@link EnsembleMember}; their output goes to {@code member-<i>/member.log} under
 * the work directory, next to their {@code zoo.cfg} and data.
 *
 * <h2>Partitions</h2>
 *
 * {@link #partition(int, int)} drops every packet between two members, in both directions, without
 * an RST or an ICMP error on the wire; each stays reachable from the other members and from the
 * root namespace. The mechanism is chosen when the ensemble starts ({@link #partitionMethod()}):
 *
 * <ul>
 *   <li>{@code tc-drop}, when the kernel has {@code act_gact}: a {@code u32} filter with {@code
 *       action drop} on the egress of each member's {@code eth0}, matching the other's address. The
 *       sending stack believes the packets left; both peers see pure silence: established
 *       connections stall until ZooKeeper's own timeouts ({@code syncLimit * tickTime}) fire, and
 *       new connection attempts time out.
 *   <li>{@code blackhole} otherwise (the kernels we run on lack {@code act_gact}): a route {@code
 *       blackhole <peer>/32} in each of the two namespaces. Nothing reaches the wire; established
 *       connections stall silently exactly as above (retransmissions are discarded locally), but a
 *       <em>new</em> {@code connect()} to the peer fails at once with EINVAL ("Invalid argument")
 *       in the connecting member, which ZooKeeper handles like any refused connection.
 * </ul>
 *
 * <h2>Threads</h2>
 *
 * The faults ({@link #kill}, {@link #restart}, {@link #partition}, {@link #isolate}, {@link #heal})
 * and {@link #close()} are thread-safe: they serialise on this object's monitor, which guards the
 * member processes and the set of partitions; the nemesis is expected to call them from one thread,
 * and {@code close()} may come from a shutdown hook at any time. Waiting for a member to serve (in
 * {@code start} and {@code restart}) happens <em>outside</em> the monitor, so a concurrent {@code
 * close()} is never held up by it and makes the wait fail. The queries ({@link #leader()}, {@link
 * #mode(int)}, {@link #awaitLeader(Duration)}, {@link #connectString()}, {@link #members()}) take
 * no lock; they only read what {@code start} fixed before returning and talk to the members over
 * TCP.
 */
public final class NetnsEnsemble implements AutoCloseable {
    /** Every member's client port (each member has its own address). */
    public static final int CLIENT_PORT = 2181;

    private static final int QUORUM_PORT = 2888;
    private static final int ELECTION_PORT = 3888;
    private static final Duration SERVE_TIMEOUT = Duration.ofSeconds(60);
    private static final int FOUR_LETTER_TIMEOUT_MS = 2_000;
    private static final Duration PROCESS_EXIT_TIMEOUT = Duration.ofSeconds(30);
    private static final String MEMBER_INTERFACE = "eth0";
    private static final int ROOT_HOST = 254;
    private static final int PROBE_PRIORITY = 99;

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    /**
     * Held with the file lock while a subnet is chosen and claimed by a bridge address: the file
     * lock keeps other JVMs out, this monitor other threads of this JVM (a second lock of the same
     * file by one JVM would throw instead of waiting).
     */
    private static final Object SUBNET_LOCK = new Object();

    private final NetnsNames names;
    private final int size;
    private final Path workDir;
    private final Duration tickTime;
    private final Thread shutdownHook;

    // Written by start() (under the monitor) before the ensemble is handed out; read afterwards by
    // any thread without the monitor, hence volatile.
    private volatile List<String> addresses = List.of();
    private volatile PartitionMethod method = PartitionMethod.BLACKHOLE;

    // Guarded by this. processes[i] is null until member i is first launched.
    private final Process[] processes;
    private final Set<Pair> partitions = new LinkedHashSet<>();
    private boolean closed;

    private NetnsEnsemble(int size, Path workDir, Duration tickTime) {
        this.names = new NetnsNames(ProcessHandle.current().pid(), SEQUENCE.getAndIncrement());
        this.size = size;
        this.workDir = workDir.toAbsolutePath();
        this.tickTime = tickTime;
        this.processes = new Process[size];
        this.shutdownHook = new Thread(this::closeQuietly, "netns-ensemble-cleanup-" + names.seq);
    }

    /**
     * Why this process cannot build network namespaces (not root, not Linux, {@code ip} missing or
     * refused), or empty when it can. Probes once per JVM by adding and deleting a namespace, a
     * veth pair and a bridge; the answer is cached.
     */
    public static Optional<String> unavailableReason() {
        return Probe.REASON;
    }

    /**
     * Builds the network, starts {@code size} members and waits (up to 60 s) until one leads and
     * every member serves. Removes first the namespaces and interfaces left by earlier JVMs that
     * died without cleaning up. On failure, removes whatever it built and throws.
     *
     * @param size 1 to 9 members
     * @param workDir where each member's {@code zoo.cfg}, data and log go (created if missing)
     * @param tickTime ZooKeeper's tick; sessions may last 2 to 20 ticks
     * @throws InvalidArgumentException for a bad argument
     * @throws NetnsException if namespaces are unavailable or the ensemble does not come up
     */
    public static NetnsEnsemble start(int size, Path workDir, Duration tickTime) {
        if (size < 1 || size > NetnsNames.MAX_MEMBERS) {
            throw InvalidArgumentException.mustBe(
                    "size", "between 1 and " + NetnsNames.MAX_MEMBERS, size);
        }
        if (workDir == null) {
            throw InvalidArgumentException.mustBe("workDir", "a directory", null);
        }
        if (tickTime == null
                || tickTime.isNegative()
                || tickTime.toMillis() < 1
                || tickTime.toMillis() > Integer.MAX_VALUE) {
            throw InvalidArgumentException.mustBe(
                    "tickTime", "between 1 ms and " + Integer.MAX_VALUE + " ms", tickTime);
        }
        Optional<String> unavailable = unavailableReason();
        if (unavailable.isPresent()) {
            throw new NetnsException("cannot build network namespaces: " + unavailable.get());
        }
        removeLeftovers();
        NetnsEnsemble ensemble = new NetnsEnsemble(size, workDir, tickTime);
        // Before anything exists, so that Ctrl-C during the start removes what was built so far.
        Runtime.getRuntime().addShutdownHook(ensemble.shutdownHook);
        try {
            ensemble.build();
            ensemble.awaitServing(allMembers(size), true);
            return ensemble;
        } catch (RuntimeException e) {
            try {
                ensemble.close();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** {@code addr:2181,addr:2181,...} of every member, in member order. */
    public String connectString() {
        return String.join(",", members());
    }

    /** {@code addr:2181} of each member; member {@code i} is at index {@code i}. */
    public List<String> members() {
        return addresses.stream().map(a -> a + ":" + CLIENT_PORT).collect(Collectors.toList());
    }

    public int size() {
        return size;
    }

    /** How partitions are made here: {@code "tc-drop"} or {@code "blackhole"} (see above). */
    public String partitionMethod() {
        return method.label;
    }

    /** The member whose {@code srvr} answers "Mode: leader" (the lowest index if two claim it). */
    public Optional<Integer> leader() {
        for (int i = 0; i < size; i++) {
            if ("leader".equals(mode(i))) {
                return Optional.of(i);
            }
        }
        return Optional.empty();
    }

    /**
     * Waits until a member leads and returns it.
     *
     * @throws NetnsException when none leads within {@code timeout}; the message has every mode
     */
    public int awaitLeader(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw InvalidArgumentException.mustBe("timeout", "positive", timeout);
        }
        Optional<Integer> leader =
                pollUntil(timeout, Duration.ofMillis(100), this::leader, Optional::isPresent);
        return leader.orElseThrow(
                () ->
                        new NetnsException(
                                "no member leads after " + timeout + "; modes: " + modes()));
    }

    /**
     * Member {@code member}'s role as its {@code srvr} command reports it ("leader", "follower"),
     * or null when it is down or not serving (electing, or cut off from the leader).
     */
    public String mode(int member) {
        checkMember("member", member);
        return modeOf(addresses.get(member));
    }

    /** Whether member {@code member}'s JVM is alive (it may still not be serving). */
    public synchronized boolean isRunning(int member) {
        checkMember("member", member);
        Process process = processes[member];
        return process != null && process.isAlive();
    }

    /**
     * Kills member {@code member}'s JVM with SIGKILL and waits until it is gone; its clients see
     * their connections reset. A no-op if it is not running.
     */
    public synchronized void kill(int member) {
        checkMember("member", member);
        checkOpen();
        destroy(member);
    }

    /**
     * Starts member {@code member} again with its configuration and data (killing it first if it
     * runs), then waits up to 60 s until it serves. Partitions in force stay in force: a member
     * still cut off from the leader will not serve, and this throws.
     */
    public void restart(int member) {
        checkMember("member", member);
        synchronized (this) {
            checkOpen();
            destroy(member);
            launch(member);
        }
        awaitServing(List.of(member), false);
    }

    /**
     * From now on, drops every packet between members {@code a} and {@code b}, both ways, until
     * {@link #heal()}. Idempotent. Both stay reachable from everyone else.
     */
    public synchronized void partition(int a, int b) {
        checkMember("a", a);
        checkMember("b", b);
        if (a == b) {
            throw InvalidArgumentException.mustBe("b", "a member other than a (" + a + ")", b);
        }
        checkOpen();
        Pair pair = new Pair(Math.min(a, b), Math.max(a, b));
        if (partitions.contains(pair)) {
            return;
        }
        // Recorded first: if the second direction fails, heal() still removes the first.
        partitions.add(pair);
        block(pair.low, pair.high);
        block(pair.high, pair.low);
    }

    /** Partitions member {@code member} from every other member. Idempotent. */
    public synchronized void isolate(int member) {
        checkMember("member", member);
        for (int other = 0; other < size; other++) {
            if (other != member) {
                partition(member, other);
            }
        }
    }

    /** Removes every partition. Idempotent. */
    public synchronized void heal() {
        checkOpen();
        for (Iterator<Pair> it = partitions.iterator(); it.hasNext(); ) {
            Pair pair = it.next();
            unblock(pair.low, pair.high);
            unblock(pair.high, pair.low);
            it.remove();
        }
    }

    /**
     * Kills every member JVM and deletes this ensemble's namespaces, veths and bridge. Idempotent;
     * also runs as a JVM shutdown hook. The work directory (configs, data, logs) stays.
     *
     * @throws NetnsException if something could not be removed (after trying everything)
     */
    @Override
    public void close() {
        List<String> failures;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            for (int i = 0; i < size; i++) {
                try {
                    destroy(i);
                } catch (RuntimeException e) {
                    // Carry on: the namespace removal below kills what is left inside.
                }
            }
            partitions.clear();
            failures = remove(names::ownsNetns, names::ownsLink);
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down (maybe this is the hook): nothing to unregister.
        }
        if (!failures.isEmpty()) {
            throw new NetnsException("could not remove: " + String.join("; ", failures));
        }
    }

    @Override
    public String toString() {
        return "NetnsEnsemble{" + names.netnsPrefix() + "*, " + String.join(",", addresses) + "}";
    }

    /** For tests: the names this ensemble uses. */
    NetnsNames names() {
        return names;
    }

    // ---- building ----

    /** Builds the network and launches every member; the caller waits for them to serve. */
    private synchronized void build() {
        checkOpen();
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new NetnsException("cannot create " + workDir, e);
        }
        Cidr subnet = claimSubnet();
        List<String> memberAddresses = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            memberAddresses.add(subnet.host(i + 1));
        }
        addresses = List.copyOf(memberAddresses);
        for (int i = 0; i < size; i++) {
            String ns = names.netns(i);
            String veth = names.hostVeth(i);
            Ip.line("ip netns add " + ns);
            // The peer is born inside the namespace, so no temporary name exists in the root one.
            Ip.line(
                    "ip link add "
                            + veth
                            + " type veth peer name "
                            + MEMBER_INTERFACE
                            + " netns "
                            + ns);
            Ip.line("ip link set " + veth + " master " + names.bridge());
            Ip.line("ip link set " + veth + " up");
            Ip.line(
                    "ip -n "
                            + ns
                            + " addr add "
                            + addresses.get(i)
                            + "/24 dev "
                            + MEMBER_INTERFACE);
            Ip.line("ip -n " + ns + " link set " + MEMBER_INTERFACE + " up");
            // ZooKeeper talks to itself over loopback (e.g. the 4lw commands of local tools).
            Ip.line("ip -n " + ns + " link set lo up");
        }
        method = probeTcDrop(subnet);
        if (method == PartitionMethod.TC_DROP) {
            for (int i = 1; i < size; i++) {
                Ip.line(tc(i, "qdisc add dev " + MEMBER_INTERFACE + " clsact"));
            }
        }
        for (int i = 0; i < size; i++) {
            writeConfig(i);
        }
        for (int i = 0; i < size; i++) {
            launch(i);
        }
    }

    /**
     * Picks a /24 no root-namespace route overlaps and claims it by giving the bridge its address,
     * under a lock shared by every JVM on the host, so two ensembles never pick the same one.
     */
    private Cidr claimSubnet() {
        Path lockFile =
                Files.isDirectory(Path.of("/run/lock"))
                        ? Path.of("/run/lock/baton-netns.lock")
                        : Path.of(System.getProperty("java.io.tmpdir"), "baton-netns.lock");
        synchronized (SUBNET_LOCK) {
            try (FileChannel channel =
                            FileChannel.open(
                                    lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = channel.lock()) {
                List<Cidr> taken = NetnsNames.parseRoutes(Ip.line("ip -4 route show table all"));
                // Spread the starting points so that concurrent JVMs rarely even contend.
                int start = (int) (names.pid * 31 + Integer.parseInt(names.seq, 36) * 7);
                Cidr subnet =
                        NetnsNames.freeSubnet(taken, start)
                                .orElseThrow(
                                        () ->
                                                new NetnsException(
                                                        "no free /24 in 10.0.0.0/8; routes: "
                                                                + taken));
                Ip.line("ip link add " + names.bridge() + " type bridge");
                Ip.line("ip addr add " + subnet.host(ROOT_HOST) + "/24 dev " + names.bridge());
                Ip.line("ip link set " + names.bridge() + " up");
                return subnet;
            } catch (IOException e) {
                throw new NetnsException("cannot lock " + lockFile, e);
            }
        }
    }

    /**
     * Whether a tc drop filter can be installed (member 0 gets its clsact qdisc as a side effect);
     * tried on an address no member uses, then removed.
     */
    private PartitionMethod probeTcDrop(Cidr subnet) {
        if (!Ip.tryLine(tc(0, "qdisc add dev " + MEMBER_INTERFACE + " clsact")).ok()) {
            return PartitionMethod.BLACKHOLE;
        }
        String unused = subnet.host(ROOT_HOST - 1);
        if (Ip.tryLine(tc(0, dropFilter(PROBE_PRIORITY, unused))).ok()) {
            Ip.line(tc(0, filterAt(PROBE_PRIORITY, "del")));
            return PartitionMethod.TC_DROP;
        }
        Ip.tryLine(tc(0, "qdisc del dev " + MEMBER_INTERFACE + " clsact"));
        return PartitionMethod.BLACKHOLE;
    }

    /** {@code tc <args>} run inside member {@code member}'s namespace. */
    private String tc(int member, String args) {
        return "ip netns exec " + names.netns(member) + " tc " + args;
    }

    private static String dropFilter(int priority, String address) {
        return filterAt(priority, "add") + " u32 match ip dst " + address + "/32 action drop";
    }

    private static String filterAt(int priority, String verb) {
        return "filter "
                + verb
                + " dev "
                + MEMBER_INTERFACE
                + " egress protocol ip prio "
                + priority;
    }

    private Path memberDir(int member) {
        return workDir.resolve("member-" + member);
    }

    private Path configFile(int member) {
        return memberDir(member).resolve("zoo.cfg");
    }

    private Path logFile(int member) {
        return memberDir(member).resolve("member.log");
    }

    private void writeConfig(int member) {
        Path data = memberDir(member).resolve("data");
        StringBuilder cfg = new StringBuilder();
        cfg.append("tickTime=").append(tickTime.toMillis()).append('\n');
        cfg.append("initLimit=10\n");
        cfg.append("syncLimit=2\n");
        cfg.append("dataDir=").append(data).append('\n');
        cfg.append("clientPort=").append(CLIENT_PORT).append('\n');
        cfg.append("clientPortAddress=").append(addresses.get(member)).append('\n');
        // A single member must still run as a quorum peer, so that it reports "leader".
        cfg.append("standaloneEnabled=false\n");
        cfg.append("4lw.commands.whitelist=srvr,mntr,stat,ruok\n");
        cfg.append("admin.enableServer=false\n");
        for (int i = 0; i < size; i++) {
            cfg.append("server.")
                    .append(i + 1)
                    .append('=')
                    .append(addresses.get(i))
                    .append(':')
                    .append(QUORUM_PORT)
                    .append(':')
                    .append(ELECTION_PORT)
                    .append('\n');
        }
        try {
            Files.createDirectories(data);
            Files.writeString(data.resolve("myid"), (member + 1) + "\n");
            Files.writeString(configFile(member), cfg.toString());
        } catch (IOException e) {
            throw new NetnsException("cannot write the configuration of member " + member, e);
        }
    }

    /** Starts member {@code member}'s JVM. Caller holds the monitor. */
    private void launch(int member) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command =
                List.of(
                        "ip",
                        "netns",
                        "exec",
                        names.netns(member),
                        java,
                        "-Xmx256m",
                        "-XX:+UseSerialGC",
                        "-Dznode.container.checkIntervalMs=1000",
                        "-cp",
                        System.getProperty("java.class.path"),
                        EnsembleMember.class.getName(),
                        configFile(member).toString());
        Path log = logFile(member);
        try {
            Files.writeString(
                    log,
                    "--- starting member " + member + " at " + Instant.now() + "\n",
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            // ip netns exec execs the JVM, so this Process is the ZooKeeper JVM itself.
            processes[member] =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(Redirect.appendTo(log.toFile()))
                            .start();
        } catch (IOException e) {
            throw new NetnsException("cannot start member " + member + ": " + command, e);
        }
    }

    /** SIGKILLs member {@code member} and waits for its exit. Caller holds the monitor. */
    private void destroy(int member) {
        Process process = processes[member];
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(PROCESS_EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new NetnsException(
                        "member "
                                + member
                                + " (pid "
                                + process.pid()
                                + ") still runs "
                                + PROCESS_EXIT_TIMEOUT
                                + " after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NetnsException("interrupted while killing member " + member, e);
        }
    }

    /**
     * Waits, without the monitor, until every member of {@code members} serves (and, if asked, one
     * of all members leads). Fails fast when one of them exits or the ensemble is closed.
     */
    private void awaitServing(Collection<Integer> members, boolean withLeader) {
        boolean serving =
                pollUntil(
                        SERVE_TIMEOUT,
                        Duration.ofMillis(200),
                        () -> {
                            for (int member : members) {
                                checkAlive(member);
                            }
                            return members.stream()
                                            .map(this::mode)
                                            .allMatch(NetnsEnsemble::isServing)
                                    && (!withLeader || leader().isPresent());
                        },
                        Boolean::booleanValue);
        if (!serving) {
            throw new NetnsException(
                    "members "
                            + members
                            + " do not all serve after "
                            + SERVE_TIMEOUT
                            + "; modes: "
                            + modes()
                            + "; logs under "
                            + workDir);
        }
    }

    /**
     * Evaluates {@code probe} on the caller's thread every {@code interval} until {@code done}
     * accepts its value or {@code timeout} has passed; returns the last value either way. An
     * exception from {@code probe} ends the wait at once.
     */
    private static <T> T pollUntil(
            Duration timeout, Duration interval, Supplier<T> probe, Predicate<T> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T value = probe.get();
            if (done.test(value) || System.nanoTime() - deadline >= 0) {
                return value;
            }
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NetnsException("interrupted while waiting", e);
            }
        }
    }

    private synchronized void checkAlive(int member) {
        checkOpen();
        Process process = processes[member];
        if (!process.isAlive()) {
            throw new NetnsException(
                    "member "
                            + member
                            + " exited with code "
                            + process.exitValue()
                            + " before serving; see "
                            + logFile(member)
                            + ":\n"
                            + tail(logFile(member)));
        }
    }

    // ---- partitions ----

    /** Drops what {@code from} sends to {@code to}. Caller holds the monitor. */
    private void block(int from, int to) {
        String peer = addresses.get(to);
        if (method == PartitionMethod.TC_DROP) {
            Ip.line(tc(from, dropFilter(filterPriority(to), peer)));
        } else {
            Ip.line("ip -n " + names.netns(from) + " route replace blackhole " + peer + "/32");
        }
    }

    /** Undoes {@link #block}; tolerates a rule that is already gone. Caller holds the monitor. */
    private void unblock(int from, int to) {
        String peer = addresses.get(to);
        Ip.Result result;
        boolean stillBlocked;
        if (method == PartitionMethod.TC_DROP) {
            result = Ip.tryLine(tc(from, filterAt(filterPriority(to), "del")));
            stillBlocked =
                    !result.ok()
                            && !Ip.tryLine(tc(from, filterAt(filterPriority(to), "show")))
                                    .output
                                    .isBlank();
        } else {
            String ns = names.netns(from);
            result = Ip.tryLine("ip -n " + ns + " route del blackhole " + peer + "/32");
            stillBlocked =
                    !result.ok()
                            && !Ip.tryLine("ip -n " + ns + " route show type blackhole " + peer)
                                    .output
                                    .isBlank();
        }
        if (stillBlocked) {
            throw new NetnsException(
                    "cannot remove the partition "
                            + from
                            + " -> "
                            + to
                            + ": "
                            + result.output.trim());
        }
    }

    /** One tc priority per peer, so that one partition's filter can be deleted alone. */
    private static int filterPriority(int peer) {
        return 10 + peer;
    }

    // ---- clean-up ----

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println("NetnsEnsemble clean-up: " + e.getMessage());
        }
    }

    /** Removes what JVMs that no longer run left behind; best effort. */
    private static void removeLeftovers() {
        long self = ProcessHandle.current().pid();
        Predicate<Optional<Long>> orphaned =
                owner ->
                        owner.isPresent()
                                && owner.get() != self
                                && ProcessHandle.of(owner.get())
                                        .map(h -> !h.isAlive())
                                        .orElse(true);
        remove(
                name -> orphaned.test(NetnsNames.netnsOwner(name)),
                name -> orphaned.test(NetnsNames.linkOwner(name)));
    }

    /**
     * Deletes the interfaces, then the namespaces (killing what still runs inside), that match.
     * Interfaces go first and explicitly: the kernel tears a deleted namespace down asynchronously,
     * and its veths linger in the root namespace meanwhile. Returns what could not be removed.
     */
    private static List<String> remove(Predicate<String> netns, Predicate<String> link) {
        List<String> failures = new ArrayList<>();
        Ip.Result links = Ip.tryRun("ip", "-o", "link", "show");
        // Veths before bridges, so that a bridge is deleted without ports.
        List<String> doomed =
                NetnsNames.parseLinkList(links.output).stream()
                        .filter(link)
                        .sorted((x, y) -> Boolean.compare(x.endsWith("b"), y.endsWith("b")))
                        .collect(Collectors.toList());
        for (String name : doomed) {
            Ip.Result result = Ip.tryRun("ip", "link", "del", name);
            if (!result.ok() && Ip.tryRun("ip", "link", "show", "dev", name).ok()) { // still there
                failures.add("link " + name + ": " + result.output.trim());
            }
        }
        Ip.Result namespaces = Ip.tryRun("ip", "netns", "list");
        for (String ns : NetnsNames.parseNetnsList(namespaces.output)) {
            if (!netns.test(ns)) {
                continue;
            }
            killInside(ns);
            Ip.Result result = Ip.tryRun("ip", "netns", "del", ns);
            if (!result.ok()) {
                failures.add("namespace " + ns + ": " + result.output.trim());
            }
        }
        return failures;
    }

    /** SIGKILLs the processes in namespace {@code ns}, e.g. members of a dead owner. */
    private static void killInside(String ns) {
        for (String line : Ip.tryRun("ip", "netns", "pids", ns).output.split("\n")) {
            String pid = line.trim();
            if (!pid.chars().allMatch(Character::isDigit) || pid.isEmpty()) {
                continue;
            }
            ProcessHandle.of(Long.parseLong(pid))
                    .ifPresent(
                            handle -> {
                                handle.destroyForcibly();
                                try {
                                    handle.onExit()
                                            .get(
                                                    PROCESS_EXIT_TIMEOUT.toMillis(),
                                                    TimeUnit.MILLISECONDS);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                } catch (ExecutionException | TimeoutException e) {
                                    // The namespace delete below reports what remains.
                                }
                            });
        }
    }

    // ---- helpers ----

    private static List<Integer> allMembers(int size) {
        return IntStream.range(0, size).boxed().collect(Collectors.toList());
    }

    private static boolean isServing(String mode) {
        return "leader".equals(mode) || "follower".equals(mode);
    }

    private static String modeOf(String address) {
        try {
            String srvr =
                    FourLetterWordMain.send4LetterWord(
                            address, CLIENT_PORT, "srvr", false, FOUR_LETTER_TIMEOUT_MS);
            for (String line : srvr.split("\n")) {
                if (line.startsWith("Mode: ")) {
                    return line.substring("Mode: ".length()).trim();
                }
            }
            return null; // "This ZooKeeper instance is not currently serving requests"
        } catch (Exception e) {
            return null; // down, or not listening yet
        }
    }

    private List<String> modes() {
        List<String> modes = new ArrayList<>();
        for (int i = 0; i < addresses.size(); i++) {
            modes.add(i + "=" + modeOf(addresses.get(i)));
        }
        return modes;
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(cannot read: " + e.getMessage() + ")";
        }
    }

    private void checkMember(String what, int member) {
        if (member < 0 || member >= size) {
            throw InvalidArgumentException.mustBe(what, "between 0 and " + (size - 1), member);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new NetnsException(this + " is closed");
        }
    }

    private enum PartitionMethod {
        TC_DROP("tc-drop"),
        BLACKHOLE("blackhole");

        final String label;

        PartitionMethod(String label) {
            this.label = label;
        }
    }

    /** Two members, {@code low < high}. */
    private record Pair(int low, int high) {}

    /** The cached answer of {@link #unavailableReason()}; computed on first use. */
    private static final class Probe {
        static final Optional<String> REASON = probe();

        private static Optional<String> probe() {
            String os = System.getProperty("os.name", "");
            if (!os.toLowerCase(Locale.ROOT).contains("linux")) {
                return Optional.of("network namespaces need Linux; running on " + os);
            }
            long uid = effectiveUid();
            if (uid != 0) {
                return Optional.of("network namespaces need root; running as uid " + uid);
            }
            long pid = ProcessHandle.current().pid();
            String ns = "baton-" + pid + "-probe";
            String veth = "bt" + pid + "-pa";
            String bridge = "bt" + pid + "-pr";
            try {
                String[][] steps = {
                    {"ip", "netns", "add", ns},
                    {
                        "ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns",
                        ns
                    },
                    {"ip", "link", "add", bridge, "type", "bridge"},
                    {"ip", "link", "set", veth, "master", bridge},
                    {"ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"},
                };
                for (String[] step : steps) {
                    Ip.Result result = Ip.tryRun(step);
                    if (!result.ok()) {
                        String output = result.output.trim();
                        int newline = output.indexOf('\n');
                        return Optional.of(
                                String.join(" ", List.of(step).subList(0, 3))
                                        + " failed: "
                                        + (newline < 0 ? output : output.substring(0, newline)));
                    }
                }
                return Optional.empty();
            } finally {
                Ip.tryRun("ip", "link", "del", veth);
                Ip.tryRun("ip", "link", "del", bridge);
                Ip.tryRun("ip", "netns", "del", ns);
            }
        }

        /** The effective uid from /proc/self/status, or -1 if it cannot be read. */
        private static long effectiveUid() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("Uid:")) {
                        return Long.parseLong(line.split("\\s+")[2]);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // Fall through: unknown.
            }
            return -1;
        }
    }
}
