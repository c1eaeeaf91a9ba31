package dev.baton.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.verify.HistoryEvent.Op;
import dev.baton.verify.HistoryEvent.Type;
import dev.baton.verify.Violation.Kind;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class CheckerTest {

    @Nested
    class MonitorWaits {
        @Test
        void anAwaitGivesTheLeaseUpAndItsWakeupIsAGrant() {
            // p waits (giving token 1 up), q enters and leaves, p is woken with token 3: clean.
            CheckResult clean =
                    new H()
                            .grant(0, "p", "m", 1, 9_000)
                            .add(
                                    HistoryEvent.of(H.ns(10), "p", Type.INVOKE, Op.AWAIT, "m")
                                            .withToken(1))
                            .grant(20, "q", "m", 2, 9_000)
                            .release(30, "q", "m")
                            .add(
                                    HistoryEvent.of(H.ns(40), "p", Type.OK, Op.AWAIT, "m")
                                            .withToken(3)
                                            .withDeadline(H.ns(9_000)))
                            .check();
            assertThat(clean.clean()).as("%s", clean.violations()).isTrue();
            assertThat(clean.stats().grants()).isEqualTo(3);

            // p is woken while q still holds: the wake-up is a grant over a believer.
            CheckResult flagged =
                    new H()
                            .grant(0, "p", "m", 1, 9_000)
                            .add(
                                    HistoryEvent.of(H.ns(10), "p", Type.INVOKE, Op.AWAIT, "m")
                                            .withToken(1))
                            .grant(20, "q", "m", 2, 9_000)
                            .add(
                                    HistoryEvent.of(H.ns(40), "p", Type.OK, Op.AWAIT, "m")
                                            .withToken(3)
                                            .withDeadline(H.ns(9_000)))
                            .check();
            assertThat(flagged.violations(Kind.LOSS_SIGNAL_FIRST)).hasSize(1);
        }
    }

    @Nested
    class LossSignalFirst {
        @Test
        void aLateLossSignalOfAnEarlierLeaseDoesNotEndTheNextOne() {
            CheckResult r =
                    new H()
                            .grant(0, "p", "x", 1, 5_000)
                            .release(10, "p", "x")
                            .grant(20, "p", "x", 2, 5_000)
                            // the callback for lease 1 arrives after lease 2 was granted
                            .add(
                                    HistoryEvent.of(H.ns(30), "p", Type.INFO, Op.LEASE_LOST, "x")
                                            .withToken(1))
                            .grant(100, "q", "x", 3, 9_000)
                            .check();

            assertThat(r.violations(Kind.LOSS_SIGNAL_FIRST)).hasSize(1);
        }

        @Test
        void aRenewalLoggedOutOfOrderCannotMoveTheDeadlineBack() {
            CheckResult r =
                    new H()
                            .grant(0, "p", "x", 1, 1_000)
                            .add(
                                    HistoryEvent.of(H.ns(10), "p", Type.INFO, Op.DEADLINE, "x")
                                            .withToken(1)
                                            .withDeadline(H.ns(3_000)))
                            .add(
                                    HistoryEvent.of(H.ns(11), "p", Type.INFO, Op.DEADLINE, "x")
                                            .withToken(1)
                                            .withDeadline(H.ns(2_000)))
                            .grant(2_500, "q", "x", 2, 9_000)
                            .check();

            assertThat(r.violations(Kind.LOSS_SIGNAL_FIRST)).hasSize(1);
        }

        @Test
        void aGrantDeadOnArrivalCountsOnlyAgainstHoldersThatBelievedAtItsInvoke() {
            // q waits, is paused, is granted and expires while paused; r is granted meanwhile.
            CheckResult clean =
                    new H()
                            .event(0, "q", Type.INVOKE, Op.ACQUIRE, "x")
                            .grant(100, "r", "x", 11, 9_000)
                            .add(
                                    HistoryEvent.of(H.ns(200), "q", Type.OK, Op.ACQUIRE, "x")
                                            .withToken(10)
                                            .withDeadline(H.ns(150)))
                            .check();
            assertThat(clean.clean()).as("%s", clean.violations()).isTrue();

            // r already held when q asked: whenever the engine granted q, r still believed.
            CheckResult flagged =
                    new H()
                            .grant(0, "r", "x", 11, 9_000)
                            .event(50, "q", Type.INVOKE, Op.ACQUIRE, "x")
                            .add(
                                    HistoryEvent.of(H.ns(200), "q", Type.OK, Op.ACQUIRE, "x")
                                            .withToken(12)
                                            .withDeadline(H.ns(150)))
                            .check();
            assertThat(flagged.violations(Kind.LOSS_SIGNAL_FIRST)).hasSize(1);
        }

        @Test
        void grantWhileEarlierHolderStillBelievesIsFlagged() {
            CheckResult r =
                    new H().grant(0, "c1", "x", 7, 1000).grant(500, "c2", "x", 8, 1500).check();

            assertThat(r.violations()).hasSize(1);
            Violation v = r.violations().get(0);
            assertThat(v.kind()).isEqualTo(Kind.LOSS_SIGNAL_FIRST);
            assertThat(v.explanation())
                    .contains("'x'", "c2 (token 8)", "c1 (token 7", "+1000.000 ms not passed");
            assertThat(v.events()).extracting(HistoryEvent::process).containsExactly("c1", "c2");
        }

        @Test
        void releaseBeforeNextGrantIsClean() {
            CheckResult r =
                    new H()
                            .grant(0, "c1", "x", 7, 1000)
                            .release(100, "c1", "x")
                            .grant(200, "c2", "x", 8, 1200)
                            .check();

            assertThat(r.clean()).as("%s", r.violations()).isTrue();
            assertThat(r.stats().grants()).isEqualTo(2);
        }

        @Test
        void releaseInvokeAloneEndsTheBelief() {
            CheckResult r =
                    new H()
                            .grant(0, "c1", "x", 7, 1000)
                            .event(100, "c1", Type.INVOKE, Op.RELEASE, "x")
                            .grant(200, "c2", "x", 8, 1200)
                            .check();

            assertThat(r.clean()).as("%s", r.violations()).isTrue();
        }

        @Test
        void lossSignalBeforeNextGrantIsClean() {
            CheckResult r =
                    new H()
                            .grant(0, "c1", "x", 7, 1000)
                            .event(300, "c1", Type.INFO, Op.LEASE_LOST, "x")
                            .grant(400, "c2", "x", 8, 1400)
                            .check();

            assertThat(r.clean()).as("%s", r.violations()).isTrue();
        }

        @Test
        void sessionWideLossSignalCoversEveryLock() {
            CheckResult r =
                    new H()
                            .grant(0, "c1", "x", 7, 1000)
                            .grant(0, "c1", "y", 3, 1000)
                            .event(300, "c1", Type.INFO, Op.LEASE_LOST, null)
                            .grant(400, "c2", "x", 8, 1400)
                            .grant(400, "c2", "y", 4, 1400)
                            .check();

            assertThat(r.clean()).as("%s", r.violations()).isTrue();
        }

        @Test
        void grantExactlyAtThePreviousDeadlineIsClean() {
            CheckResult r =
                    new H().grant(0, "c1", "x", 7, 1000).grant(1000, "c2", "x", 8, 2000).check();

            assertThat(r.clean()).as("%s", r.violations()).isTrue();
        }

        @Test
        void grantOneNanosecondBeforeThePreviousDeadlineIsFlagged() {
            H h = new H().grant(0, "c1", "x", 7, 1000);
            h.add(HistoryEvent.of(H.ns(1000) - 1, "c2", Type.OK, Op.ACQUIRE, "x").withToken(8));

            assertThat(h.check().violations(Kind.LOSS_SIGNAL_FIRST)).hasSize(1);
        }

        @Test
        void renewalMovesTheDeadline() {
            H h = new H().grant(0, "c1", "x", 7, 100);
            h.add(
                    HistoryEvent.of(H.ns(50), "c1", Type.OK, Op.DEADLINE, "x")
                            .withDeadline(H.ns(2000)));
            h.grant(500, "c2", "x", 8, 1500);

            assertThat(h.check().violations(Kind.LOSS_SIGNAL_FIRST)).hasSize(1);
        }

        @Test
        void deadlineEventWithoutDeadlineMeansPassedNow() {
            CheckResult r =
                    new H()
                            .grant(0, "c1", "x", 7, 5000)
                            .event(300, "c1", Type.INFO, Op.DEADLINE, "x")
                            .grant(400, "c2", "x", 8, 1400)
                            .check();

            assertThat(r.clean()).as("%s", r.violations()).isTrue();
        }

        @Test
        void unknownDeadlineCountsAsNotPassed() {
            H h = new H();
            h.add(HistoryEvent.of(H.ns(0), "c1", Type.OK, Op.ACQUIRE, "x").withToken(1));
            h.grant(60_000, "c2", "x", 2, 61_000);

            assertThat(h.check().violations(Kind.LOSS_SIGNAL_FIRST))
                    .singleElement()
                    .extracting(Violation::explanation)
                    .asString()
                    .contains("local deadline unknown");
        }

        @Test
        void pausedHolderStillBelieves() {
            CheckResult r =
                    new H()
                            .grant(0, "c1", "x", 7, 1000)
                            .event(10, "c1", Type.OK, Op.PAUSE, null)
                            .grant(500, "c2", "x", 8, 1500)
                            .event(600, "c1", Type.OK, Op.RESUME, null)
                            .check();

            assertThat(r.violations(Kind.LOSS_SIGNAL_FIRST)).hasSize(1);
        }

        @Test
        void killedHolderIsCleanAndRecoveryIsMeasured() {
            CheckResult r =
                    new H()
                            .grant(0, "c1", "x", 7, 60_000)
                            .event(100, "c1", Type.INVOKE, Op.KILL, null)
                            .event(100, "c1", Type.OK, Op.KILL, null)
                            .grant(350, "c2", "x", 8, 1350)
                            .check();

            assertThat(r.clean()).as("%s", r.violations()).isTrue();
            assertThat(r.stats().kills()).isEqualTo(1);
            assertThat(r.stats().holderKills()).isEqualTo(1);
            assertThat(r.stats().recoveries()).isEqualTo(1);
            assertThat(r.stats().recoveryMaxMillis()).isEqualTo(250.0);
            assertThat(r.stats().recoveryP99Millis()).isEqualTo(250.0);
        }

        @Test
        void failedKillChangesNothing() {
            CheckResult r =
                    new H()
                            .grant(0, "c1", "x", 7, 60_000)
                            .event(100, "c1", Type.INVOKE, Op.KILL, null)
                            .event(110, "c1", Type.FAIL, Op.KILL, null)
                            .grant(350, "c2", "x", 8, 1350)
                            .check();

            assertThat(r.violations(Kind.LOSS_SIGNAL_FIRST)).hasSize(1);
            assertThat(r.stats().kills()).isZero();
        }

        @Test
        void sameProcessRegrantIsNotAgainstItself() {
            CheckResult r =
                    new H().grant(0, "c1", "x", 7, 1000).grant(100, "c1", "x", 8, 1100).check();

            assertThat(r.clean()).as("%s", r.violations()).isTrue();
        }

        @Test
        void indeterminateAcquireIsNotAGrant() {
            CheckResult r =
                    new H()
                            .event(0, "c1", Type.INVOKE, Op.ACQUIRE, "x")
                            .event(50, "c1", Type.INFO, Op.ACQUIRE, "x")
                            .grant(100, "c2", "x", 8, 1100)
                            .check();

            assertThat(r.clean()).as("%s", r.violations()).isTrue();
            assertThat(r.stats().grants()).isEqualTo(1);
        }

        @Test
        void otherLocksAreIndependent() {
            CheckResult r =
                    new H().grant(0, "c1", "x", 7, 1000).grant(100, "c2", "y", 3, 1100).check();

            assertThat(r.clean()).as("%s", r.violations()).isTrue();
        }
    }

    @Nested
    class TokenInversion {
        @Test
        void aTokenAssignedWhileAnotherGrantWasInFlightIsNotAnInversion() {
            CheckResult r =
                    new H()
                            .event(0, "q", Type.INVOKE, Op.ACQUIRE, "x")
                            .grant(100, "r", "x", 11, 150)
                            .release(120, "r", "x")
                            .add(
                                    HistoryEvent.of(H.ns(200), "q", Type.OK, Op.ACQUIRE, "x")
                                            .withToken(10)
                                            .withDeadline(H.ns(9_000)))
                            .check();

            assertThat(r.violations(Kind.TOKEN_INVERSION)).isEmpty();
        }

        @Test
        void lowerTokenAfterHigherIsFlagged() {
            CheckResult r =
                    new H()
                            .grant(0, "c1", "x", 5, 100)
                            .release(50, "c1", "x")
                            .grant(200, "c2", "x", 3, 300)
                            .check();

            assertThat(r.violations())
                    .singleElement()
                    .satisfies(
                            v -> {
                                assertThat(v.kind()).isEqualTo(Kind.TOKEN_INVERSION);
                                assertThat(v.explanation())
                                        .contains("'x'", "c2", "token 3", "token 5", "c1");
                            });
        }

        @Test
        void equalTokenToAnotherProcessIsFlagged() {
            CheckResult r =
                    new H()
                            .grant(0, "c1", "x", 5, 100)
                            .release(50, "c1", "x")
                            .grant(200, "c2", "x", 5, 300)
                            .check();

            assertThat(r.violations(Kind.TOKEN_INVERSION)).hasSize(1);
        }

        @Test
        void equalTokenReportedAgainToTheSameHolderIsAllowed() {
            CheckResult r =
                    new H().grant(0, "c1", "x", 5, 1000).grant(10, "c1", "x", 5, 1000).check();

            assertThat(r.clean()).as("%s", r.violations()).isTrue();
        }

        @Test
        void strictlyIncreasingTokensAreClean() {
            H h = new H();
            long[] tokens = {5, 6, 9, 100};
            for (int i = 0; i < tokens.length; i++) {
                h.grant(i * 100, "c" + i, "x", tokens[i], i * 100 + 50)
                        .release(i * 100 + 10, "c" + i, "x");
            }
            CheckResult r = h.check();

            assertThat(r.clean()).as("%s", r.violations()).isTrue();
            assertThat(r.stats().grants()).isEqualTo(4);
        }

        @Test
        void grantsWithoutTokenAreCountedNotChecked() {
            H h = new H();
            h.add(HistoryEvent.of(H.ns(0), "c1", Type.OK, Op.ACQUIRE, "x").withDeadline(H.ns(10)));
            h.add(HistoryEvent.of(H.ns(20), "c2", Type.OK, Op.ACQUIRE, "x").withDeadline(H.ns(30)));
            CheckResult r = h.check();

            assertThat(r.clean()).as("%s", r.violations()).isTrue();
            assertThat(r.stats().grantsWithoutToken()).isEqualTo(2);
        }
    }

    @Nested
    class StaleWrite {
        @Test
        void lowerTokenAcceptedAfterHigherIsFlagged() {
            CheckResult r =
                    new H()
                            .write(0, 10, "c2", 7, null, null, Type.OK)
                            .write(20, 30, "c1", 5, null, null, Type.OK)
                            .check();

            assertThat(r.violations())
                    .singleElement()
                    .satisfies(
                            v -> {
                                assertThat(v.kind()).isEqualTo(Kind.STALE_WRITE_ACCEPTED);
                                assertThat(v.explanation())
                                        .contains("c1", "token 5", "token 7", "c2");
                            });
        }

        @Test
        void staleWriteRejectedIsAStatisticNotAViolation() {
            CheckResult r =
                    new H()
                            .write(0, 10, "c2", 7, null, null, Type.OK)
                            .write(20, 30, "c1", 5, null, null, Type.FAIL)
                            .write(40, 50, "c2", 7, null, null, Type.OK)
                            .check();

            assertThat(r.clean()).as("%s", r.violations()).isTrue();
            assertThat(r.stats().staleWritesRejected()).isEqualTo(1);
            assertThat(r.stats().writesAccepted()).isEqualTo(2);
        }

        @Test
        void increasingTokensAreClean() {
            CheckResult r =
                    new H()
                            .write(0, 10, "c1", 5, null, null, Type.OK)
                            .write(20, 30, "c2", 7, null, null, Type.OK)
                            .write(40, 50, "c3", 9, null, null, Type.OK)
                            .check();

            assertThat(r.clean()).as("%s", r.violations()).isTrue();
        }

        @Test
        void equalTokensFromTheSameHolderAreAllowed() {
            CheckResult r =
                    new H()
                            .write(0, 10, "c1", 5, null, null, Type.OK)
                            .write(20, 30, "c1", 5, null, null, Type.OK)
                            .check();

            assertThat(r.clean()).as("%s", r.violations()).isTrue();
        }

        @Test
        void equalTokensFromDifferentHoldersAreFlagged() {
            CheckResult r =
                    new H()
                            .write(0, 10, "c1", 5, null, null, Type.OK)
                            .write(20, 30, "c2", 5, null, null, Type.OK)
                            .check();

            assertThat(r.violations())
                    .singleElement()
                    .satisfies(
                            v -> {
                                assertThat(v.kind()).isEqualTo(Kind.STALE_WRITE_ACCEPTED);
                                assertThat(v.explanation()).contains("token 5", "c1", "c2");
                            });
        }

        @Test
        void overlappingWritesMayHaveBeenAppliedInEitherOrder() {
            // c1's token-5 write may have reached the store before c2's token-7 write.
            CheckResult r =
                    new H()
                            .write(10, 12, "c2", 7, null, null, Type.OK)
                            .write(11, 13, "c1", 5, null, null, Type.OK)
                            .check();

            assertThat(r.clean()).as("%s", r.violations()).isTrue();
        }

        @Test
        void writeAcceptedExactlyWhenTheStaleOneWasInvokedIsNotCertainlyEarlier() {
            CheckResult r =
                    new H()
                            .write(0, 10, "c2", 7, null, null, Type.OK)
                            .write(10, 20, "c1", 5, null, null, Type.OK)
                            .check();

            assertThat(r.clean()).as("%s", r.violations()).isTrue();
        }
    }

    @Nested
    class LostUpdate {
        @Test
        void twoWritersReadingTheSameValueLoseAnUpdate() {
            CheckResult r = new H().ok(0, 10, "c1", 1, 0).ok(5, 20, "c2", 2, 0).check();

            assertThat(r.violations())
                    .singleElement()
                    .satisfies(
                            v -> {
                                assertThat(v.kind()).isEqualTo(Kind.LOST_UPDATE);
                                assertThat(v.explanation())
                                        .contains(
                                                "2 acknowledged increment(s)",
                                                "final value 1",
                                                "1 acknowledged update(s) lost",
                                                "c1, c2 all read 0");
                                assertThat(v.events())
                                        .extracting(HistoryEvent::process)
                                        .contains("c1", "c2");
                            });
            assertThat(r.stats().acknowledgedIncrements()).isEqualTo(2);
            assertThat(r.stats().finalRegisterValue()).isEqualTo(1L);
        }

        @Test
        void sequentialIncrementsAreClean() {
            CheckResult r =
                    new H()
                            .ok(0, 10, "c1", 1, 0)
                            .ok(20, 30, "c2", 2, 1)
                            .ok(40, 50, "c1", 3, 2)
                            .check();

            assertThat(r.clean()).as("%s", r.violations()).isTrue();
            assertThat(r.stats().finalRegisterValue()).isEqualTo(3L);
        }

        @Test
        void rejectedWritesAreNotIncrements() {
            CheckResult r =
                    new H()
                            .ok(0, 10, "c1", 1, 0)
                            .write(20, 30, "c2", 0, 0L, 1L, Type.FAIL)
                            .ok(40, 50, "c1", 1, 1)
                            .check();

            assertThat(r.clean()).as("%s", r.violations()).isTrue();
        }

        @Test
        void writeOfUnknownOutcomeMayHaveCounted() {
            CheckResult r =
                    new H()
                            .ok(0, 10, "c1", 1, 0)
                            .write(20, 30, "c2", 2, 1L, 2L, Type.INFO)
                            .ok(40, 50, "c1", 3, 2)
                            .check();

            assertThat(r.clean()).as("%s", r.violations()).isTrue();
            assertThat(r.stats().writesIndeterminate()).isEqualTo(1);
        }

        @Test
        void theFinalReadOfTheStoreDecidesTheFinalValue() {
            // The last acknowledged write says 2, but the store holds 1: an update was undone.
            CheckResult r =
                    new H()
                            .ok(0, 10, "c1", 1, 0)
                            .ok(20, 30, "c2", 2, 1)
                            .add(
                                    HistoryEvent.of(
                                                    H.ns(40),
                                                    Checker.FINAL_READ,
                                                    Type.OK,
                                                    Op.READ,
                                                    "reg")
                                            .withRegister(null, 1L))
                            .check();

            assertThat(r.stats().finalRegisterValue()).isEqualTo(1L);
            assertThat(r.violations(Kind.LOST_UPDATE))
                    .singleElement()
                    .extracting(Violation::explanation)
                    .asString()
                    .contains("final value 1", "1 acknowledged update(s) lost");
        }

        @Test
        void aWriteWhoseProcessDiedBeforeTheAnswerMayHaveCounted() {
            // c2 was killed after sending its write: no completion, but the store applied it.
            CheckResult r =
                    new H()
                            .ok(0, 10, "c1", 1, 0)
                            .add(
                                    HistoryEvent.of(H.ns(20), "c2", Type.INVOKE, Op.WRITE, "reg")
                                            .withToken(2)
                                            .withRegister(1L, 2L))
                            .add(HistoryEvent.of(H.ns(25), "c2", Type.OK, Op.KILL, null))
                            .add(
                                    HistoryEvent.of(
                                                    H.ns(40),
                                                    Checker.FINAL_READ,
                                                    Type.OK,
                                                    Op.READ,
                                                    "reg")
                                            .withRegister(null, 2L))
                            .check();

            assertThat(r.clean()).as("%s", r.violations()).isTrue();
            assertThat(r.stats().writesIndeterminate()).isEqualTo(1);
        }

        @Test
        void valueAboveEveryPossibleIncrementIsFlagged() {
            CheckResult r = new H().ok(0, 10, "c1", 1, 0).ok(20, 30, "c2", 2, 4).check();

            assertThat(r.violations(Kind.LOST_UPDATE))
                    .singleElement()
                    .extracting(Violation::explanation)
                    .asString()
                    .contains("increment(s) from nowhere");
        }
    }

    @Test
    void recoveryPercentilesUseNearestRank() {
        H h = new H();
        for (int i = 1; i <= 100; i++) {
            double t = i * 1000.0;
            h.grant(t, "a" + i, "x", 2L * i, t + 60_000)
                    .event(t + 1, "a" + i, Type.INFO, Op.KILL, null)
                    .grant(t + 1 + i, "b" + i, "x", 2L * i + 1, t + 2 + i)
                    .release(t + 1 + i, "b" + i, "x");
        }
        CheckResult r = h.check();

        assertThat(r.clean()).as("%s", r.violations()).isTrue();
        assertThat(r.stats().recoveries()).isEqualTo(100);
        assertThat(r.stats().recoveryMaxMillis()).isEqualTo(100.0);
        assertThat(r.stats().recoveryP99Millis()).isEqualTo(99.0);
    }

    @Test
    void killedHolderWithoutLaterGrantIsUnrecovered() {
        CheckResult r =
                new H()
                        .grant(0, "c1", "x", 1, 1000)
                        .event(10, "c1", Type.OK, Op.KILL, null)
                        .grant(20, "c1", "y", 1, 1020)
                        .check();

        assertThat(r.stats().holderKills()).isEqualTo(1);
        assertThat(r.stats().recoveries()).isZero();
        assertThat(r.stats().recoveryMaxMillis()).isZero();
    }

    @Test
    void eventsGivenOutOfOrderAreCheckedInTimeOrder() {
        H h = new H().grant(500, "c2", "x", 8, 1500).grant(0, "c1", "x", 7, 1000);

        assertThat(h.history().events().get(0).process()).isEqualTo("c1");
        assertThat(h.check().violations(Kind.LOSS_SIGNAL_FIRST)).hasSize(1);
        assertThat(h.check().violations(Kind.TOKEN_INVERSION)).isEmpty();
    }

    @Test
    void emptyHistoryIsClean() {
        CheckResult r = new H().check();

        assertThat(r.clean()).isTrue();
        assertThat(r.stats().finalRegisterValue()).isNull();
    }
}
