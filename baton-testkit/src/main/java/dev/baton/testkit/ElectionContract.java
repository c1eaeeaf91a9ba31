package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.Baton;
import dev.baton.Candidacy;
import dev.baton.Election;
import dev.baton.LeaseKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Election: exactly one leader at a time, and failover when the leader is cut off or closed. */
abstract class ElectionContract extends ContractBase {

    /**
     * Three candidates in three clients: one leader at a time (an overlap detector inside the
     * task), {@code leader()} names it, the leader's task is interrupted when its client is cut
     * off, and the next candidate takes over; closing the next leader's client hands over again.
     */
    @Test
    void electionHasExactlyOneLeaderAndFailsOver() {
        String name = name("election");
        List<Baton> cs =
                List.of(partitionableClient(), partitionableClient(), partitionableClient());
        ExclusiveResource leading = new ExclusiveResource();
        List<String> leaders = new CopyOnWriteArrayList<>();
        List<String> interrupted = new CopyOnWriteArrayList<>();
        List<Candidacy> candidacies = new ArrayList<>();
        for (Baton c : cs) {
            Election e = c.election(name);
            candidacies.add(
                    e.join(
                            lease -> {
                                leading.enter();
                                try {
                                    leaders.add(lease.holder());
                                    new CountDownLatch(1).await(); // lead until interrupted
                                } catch (InterruptedException ie) {
                                    interrupted.add(lease.holder());
                                } finally {
                                    leading.exit();
                                }
                            }));
        }
        waitUntil().until(() -> leaders.size() == 1);
        int first = indexOfLeader(candidacies);
        Baton firstClient = cs.get(first);
        for (Baton c : cs) {
            assertThat(c.election(name).leader()).contains(firstClient.clientId());
        }
        assertThat(candidacies.stream().filter(Candidacy::isLeader).count()).isEqualTo(1);
        assertThat(candidacies.get(first).terms()).isEqualTo(1);
        assertThat(candidacies.get(first).leadership().orElseThrow().kind())
                .isEqualTo(LeaseKind.LEADERSHIP);

        cutOff(firstClient);
        waitUntil().atMost(ttl().plus(PATIENCE)).until(() -> leaders.size() == 2);
        assertThat(interrupted).containsExactly(firstClient.clientId());
        assertThat(leaders.get(1)).isNotEqualTo(firstClient.clientId());
        Baton secondClient =
                cs.stream()
                        .filter(c -> c.clientId().equals(leaders.get(1)))
                        .findFirst()
                        .orElseThrow();
        waitUntil()
                .until(
                        () ->
                                secondClient
                                        .election(name)
                                        .leader()
                                        .equals(Optional.of(leaders.get(1))));
        assertThat(candidacies.get(first).isLeader()).isFalse();

        secondClient.close();
        waitUntil().until(() -> leaders.size() == 3);
        assertThat(leaders.get(2)).isNotIn(firstClient.clientId(), secondClient.clientId());
        assertThat(leading.violations()).as("two leaders at once").isZero();
        int third =
                cs.indexOf(
                        cs.stream()
                                .filter(c -> c.clientId().equals(leaders.get(2)))
                                .findFirst()
                                .orElseThrow());
        assertThat(candidacies.get(third).terms()).isEqualTo(1);
        assertThat(cs.get(third).election(name).leader()).contains(leaders.get(2));
    }

    private static int indexOfLeader(List<Candidacy> candidacies) {
        for (int i = 0; i < candidacies.size(); i++) {
            if (candidacies.get(i).isLeader()) {
                return i;
            }
        }
        throw new AssertionError("no candidate leads");
    }
}
