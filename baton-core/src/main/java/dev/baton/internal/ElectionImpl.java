package dev.baton.internal;

import dev.baton.Candidacy;
import dev.baton.Election;
import dev.baton.InvalidArgumentException;
import dev.baton.LeaderTask;
import dev.baton.LeaseKind;
import java.util.Optional;
import java.util.function.Consumer;

/** Election as a FIFO lock of kind LEADERSHIP; each candidate runs on its own thread. */
final class ElectionImpl implements Election {
    private final BatonImpl baton;
    private final String name;
    private final LockImpl lock;

    ElectionImpl(BatonImpl baton, String name) {
        this.baton = baton;
        this.name = name;
        this.lock = new LockImpl(baton, name, LeaseKind.LEADERSHIP, 1);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Candidacy join(LeaderTask task) {
        return join(task, failure -> {});
    }

    @Override
    public Candidacy join(LeaderTask task, Consumer<? super Throwable> onFailure) {
        if (onFailure == null) {
            throw InvalidArgumentException.mustBe(
                    "failure listener for \"" + name + "\"", "non-null", null);
        }
        if (task == null) {
            throw InvalidArgumentException.mustBe(
                    "leader task for \"" + name + "\"", "non-null", null);
        }
        baton.ensureOpen();
        CandidacyImpl c = new CandidacyImpl(baton, lock, task, onFailure);
        baton.track(c);
        c.start();
        return c;
    }

    @Override
    public Optional<String> leader() {
        baton.ensureOpen();
        return baton.backend()
                .inspect(name)
                .flatMap(
                        s ->
                                s.holders().stream()
                                        .filter(h -> h.kind() == LeaseKind.LEADERSHIP)
                                        .map(h -> h.clientId())
                                        .findFirst());
    }
}
