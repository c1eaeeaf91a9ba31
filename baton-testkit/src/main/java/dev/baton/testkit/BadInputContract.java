package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.Baton;
import dev.baton.InvalidArgumentException;
import dev.baton.InvalidNameException;
import dev.baton.LeaseKind;
import dev.baton.LockSnapshot;
import dev.baton.Mutex;
import dev.baton.Semaphore;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad names and arguments are rejected with the rule they break, and leave nothing behind. */
abstract class BadInputContract extends ContractBase {

    @Test
    void badNamesAreRejectedWithTheRuleAndLeaveNothing() {
        Baton a = client();
        List<String> before = lockNames(a);
        List<String> keysBefore = a.keyValue().keys("");
        List<String> bad =
                List.of(
                        "",
                        "a//b",
                        "../x",
                        "/a",
                        "a/",
                        "a".repeat(201),
                        "a\u0001b",
                        "a b",
                        "x/./y");
        for (String n : bad) {
            assertRejected(n, () -> a.mutex(n));
            assertRejected(n, () -> a.semaphore(n, 2));
            assertRejected(n, () -> a.readWriteLock(n));
            assertRejected(n, () -> a.election(n));
            assertRejected(n, () -> a.keyValue().put(n, "v"));
            assertRejected(n, () -> a.keyValue().get(n));
            assertRejected(n, () -> a.keyValue().compareAndSet(n, 0, "v"));
            assertRejected(n, () -> a.keyValue().delete(n));
            assertRejected(n, () -> a.inspect(n));
            if (!n.isEmpty()) { // "" is the watch prefix for everything
                assertRejected(n, () -> a.watch(n, e -> {}));
            }
        }
        assertThatThrownBy(() -> a.mutex(null)).isInstanceOf(InvalidNameException.class);
        assertThat(lockNames(a)).isEqualTo(before);
        assertThat(a.keyValue().keys("")).isEqualTo(keysBefore);
    }

    @Test
    void badArgumentsAreRejectedWithTheRuleAndLeaveNothing() {
        Baton a = client();
        String name = name("args");
        Mutex m = a.mutex(name);
        assertThatThrownBy(() -> m.acquire(Duration.ofSeconds(-1)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("timeout")
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> m.acquireAsync(Duration.ofMillis(-5)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> m.acquire(null))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> a.semaphore(name, 0))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("permits")
                .hasMessageContaining("0");
        Semaphore s = a.semaphore(name, 3);
        assertThatThrownBy(() -> s.acquire(0, PATIENCE))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("permits")
                .hasMessageContaining("between 1 and 3");
        assertThatThrownBy(() -> s.acquire(4, PATIENCE))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("but was 4");
        assertThatThrownBy(() -> s.tryAcquire(-1)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> a.watch(name, null))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("listener");
        assertThatThrownBy(() -> a.keyValue().compareAndSet(name, -2, "v"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("expectedVersion");
        assertThatThrownBy(() -> a.keyValue().update(name, v -> v, 0))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("maxAttempts");
        assertThat(engineEntries(LeaseKind.MUTEX, name)).isEmpty();
        assertThat(engineEntries(LeaseKind.SEMAPHORE, name)).isEmpty();
        assertThat(a.inspect(name)).isEmpty();
        assertThat(a.keyValue().get(name)).isEmpty();
    }

    private List<String> lockNames(Baton c) {
        return c.locks("").stream().map(LockSnapshot::name).toList();
    }

    private static void assertRejected(String bad, Runnable call) {
        Throwable t = catchThrowable(call::run);
        assertThat(t)
                .as("call with name %s", printable(bad))
                .isInstanceOf(InvalidNameException.class);
        assertThat(((InvalidNameException) t).name()).isEqualTo(bad);
        assertThat(t.getMessage()).contains("[A-Za-z0-9._-]");
        if (bad.chars().noneMatch(Character::isISOControl)) {
            assertThat(t.getMessage()).contains("\"" + bad + "\"");
        }
    }

    private static String printable(String s) {
        return s.length() > 40
                ? s.substring(0, 40) + "…(" + s.length() + ")"
                : s.replace("\u0001", "\\u0001");
    }
}
