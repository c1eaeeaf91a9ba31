package dev.baton.verify.run;

import dev.baton.faults.FaultProxy;
import dev.baton.verify.HistoryEvent.Op;
import dev.baton.verify.HistoryEvent.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Injects one fault at a time, from a seeded {@link Random}, until stopped: waits 0.5–1.5 TTLs,
 * picks a fault, holds it for its duration, heals it, and logs both ends as {@code NEMESIS} events
 * (plus {@code KILL}, {@code PAUSE}, {@code RESUME} on the client it hit).
 *
 * <p>Reproducibility: the seed fixes the sequence of faults, their durations and the gaps between
 * them, because every step draws the same number of values from the main generator whatever happens
 * (the engine gets a generator of its own per step). Start times drift by what each injection takes
 * (a kill waits for the process to die and its successor to start; a pause waits up to a second for
 * a holder about to write; a restart waits for the server). Which client a fault hits depends on
 * who holds the lock at that moment (holders are preferred, so pauses and kills land inside
 * critical sections). So two runs with one seed inject the same faults in the same order at nearly
 * the same times, not always on the same clients.
 *
 * <p>Threads: {@link #run} is the nemesis thread, the only one that injects or heals; {@link #stop}
 * may be called from any thread and makes the current wait end early, after which the fault in
 * progress is healed before {@link #run} returns.
 */
final class Nemesis implements Runnable {

    /** What the nemesis needs from the runner's client set. */
    interface Clients {
        /** Live, unpaused clients, in key order. */
        List<ClientProcess> alive();

        /** Kill the client and start its next incarnation; returns the new id. */
        String killAndRespawn(ClientProcess victim, Runnable afterKill);
    }

    private final List<Fault> faults;
    private final Random random;
    private final Duration ttl;
    private final EngineUnderTest engine;
    private final Clients clients;
    private final HistoryLog log;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final List<String> errors = new ArrayList<>();

    Nemesis(
            List<Fault> faults,
            long seed,
            Duration ttl,
            EngineUnderTest engine,
            Clients clients,
            HistoryLog log) {
        this.faults = List.copyOf(faults);
        this.random = new Random(seed);
        this.ttl = ttl;
        this.engine = engine;
        this.clients = clients;
        this.log = log;
    }

    void stop() {
        stopped.countDown();
    }

    /** Faults that could not be injected (each once per failure), for the report. */
    synchronized List<String> errors() {
        return List.copyOf(errors);
    }

    @Override
    public void run() {
        if (faults.isEmpty()) {
            return;
        }
        while (!waitFor(scale(0.5, 1.5))) {
            Fault fault = faults.get(random.nextInt(faults.size()));
            int pick = random.nextInt(1 << 20);
            double r = random.nextDouble();
            // The engine may draw more or fewer values depending on who leads; its own generator
            // keeps the main sequence the same whatever it does.
            Random engineRandom = new Random(random.nextLong());
            try {
                inject(fault, pick, r, engineRandom);
            } catch (RuntimeException e) {
                log.nemesis(
                        "nemesis",
                        Type.INFO,
                        Op.NEMESIS,
                        fault.label() + " failed: " + e.getMessage());
                synchronized (this) {
                    errors.add(fault.label() + ": " + e);
                }
            }
        }
    }

    private void inject(Fault fault, int pick, double r, Random engineRandom) {
        if (fault.onEngine()) {
            Duration hold =
                    switch (fault) {
                        case RESTART -> lerp(0.5, 1.0, r);
                        case PARTITION -> lerp(2, 4, r);
                        default -> lerp(1, 2, r);
                    };
            String what = engine.begin(fault, engineRandom, ttl);
            log.nemesis("nemesis", Type.INVOKE, Op.NEMESIS, fault.label() + " " + what);
            waitFor(hold);
            String healed = engine.heal();
            log.nemesis("nemesis", Type.OK, Op.NEMESIS, fault.label() + " " + healed);
            return;
        }
        ClientProcess victim = pickVictim(pick);
        if (victim == null) {
            return;
        }
        String id = victim.id();
        String key = id.replaceFirst("#.*", "");
        List<FaultProxy> proxies = engine.proxies(key);
        switch (fault) {
            case KILL -> {
                log.nemesis("nemesis", Type.INVOKE, Op.NEMESIS, "kill " + id + " (kill -9)");
                log.nemesis(id, Type.INVOKE, Op.KILL, "kill -9 pid " + victim.pid());
                String next =
                        clients.killAndRespawn(
                                victim,
                                () ->
                                        log.nemesis(
                                                id,
                                                Type.OK,
                                                Op.KILL,
                                                "kill -9 pid " + victim.pid()));
                log.nemesis(
                        "nemesis",
                        Type.OK,
                        Op.NEMESIS,
                        next == null
                                ? "kill " + id + ": it had exited on its own"
                                : "kill " + id + "; started " + next);
            }
            case PAUSE -> {
                ClientProcess target = pickAboutToWrite(pick, victim);
                if (target != null) {
                    pause(target, lerp(2, 3.5, r));
                }
            }
            case DELAY -> {
                Duration delay = Duration.ofMillis((long) (ttl.toMillis() * (0.25 + r / 4)));
                log.nemesis(
                        "nemesis",
                        Type.INVOKE,
                        Op.NEMESIS,
                        "delay " + id + "'s engine traffic by " + seconds(delay));
                proxies.forEach(p -> p.delay(delay));
                waitFor(ttl.multipliedBy(2));
                proxies.forEach(FaultProxy::pass);
                log.nemesis("nemesis", Type.OK, Op.NEMESIS, "delay " + id + " ended");
            }
            case BLACKHOLE, EXPIRE -> {
                Duration hold = fault == Fault.EXPIRE ? ttl.multipliedBy(3) : lerp(0.5, 2, r);
                log.nemesis(
                        "nemesis",
                        Type.INVOKE,
                        Op.NEMESIS,
                        fault.label() + " " + id + "'s engine traffic for " + seconds(hold));
                proxies.forEach(FaultProxy::blackhole);
                waitFor(hold);
                proxies.forEach(FaultProxy::pass);
                log.nemesis("nemesis", Type.OK, Op.NEMESIS, fault.label() + " " + id + " ended");
            }
            case RESET -> {
                log.nemesis(
                        "nemesis",
                        Type.INVOKE,
                        Op.NEMESIS,
                        "reset " + id + "'s engine connections");
                proxies.forEach(FaultProxy::reset);
                log.nemesis("nemesis", Type.OK, Op.NEMESIS, "reset " + id + " done");
            }
            default -> throw new IllegalArgumentException(fault + " is an engine fault");
        }
    }

    private void pause(ClientProcess victim, Duration hold) {
        String id = victim.id();
        log.nemesis(
                "nemesis",
                Type.INVOKE,
                Op.NEMESIS,
                "pause " + id + " for " + seconds(hold) + " (SIGSTOP)");
        victim.pause();
        log.nemesis(id, Type.OK, Op.PAUSE, "SIGSTOP pid " + victim.pid());
        waitFor(hold);
        victim.resume();
        log.nemesis(id, Type.OK, Op.RESUME, "SIGCONT pid " + victim.pid());
        log.nemesis("nemesis", Type.OK, Op.NEMESIS, "pause " + id + " resumed");
    }

    /**
     * For a pause, the worst moment: a holder that has just checked its lease and is about to write
     * (the client leaves at least {@link VerifyClient#GAP_MIN_MILLIS} there). Polls for up to one
     * second; falls back to {@code otherwise}.
     */
    private ClientProcess pickAboutToWrite(int pick, ClientProcess otherwise) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (System.nanoTime() - until < 0) {
            List<String> ready = log.aboutToWrite();
            List<ClientProcess> alive =
                    clients.alive().stream().filter(c -> ready.contains(c.id())).toList();
            if (!alive.isEmpty()) {
                return alive.get(pick % alive.size());
            }
            if (waitFor(Duration.ofMillis(2))) {
                return null; // stopped: inject nothing more
            }
        }
        return otherwise;
    }

    /** A holder if any (so the fault lands in a critical section), else any live client. */
    private ClientProcess pickVictim(int pick) {
        List<ClientProcess> alive = clients.alive();
        if (alive.isEmpty()) {
            return null;
        }
        List<String> holders = log.holders();
        List<ClientProcess> holding = alive.stream().filter(c -> holders.contains(c.id())).toList();
        List<ClientProcess> from = holding.isEmpty() ? alive : holding;
        return from.get(pick % from.size());
    }

    private Duration scale(double lo, double hi) {
        return lerp(lo, hi, random.nextDouble());
    }

    private Duration lerp(double lo, double hi, double r) {
        return Duration.ofMillis((long) (ttl.toMillis() * (lo + (hi - lo) * r)));
    }

    /** Waits; returns true if stopped meanwhile. */
    private boolean waitFor(Duration d) {
        try {
            return stopped.await(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
