package dev.baton.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.InvalidUriException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConnectionUriTest {

    @Test
    void bareScheme() {
        ConnectionUri u = ConnectionUri.parse("mem");
        assertThat(u.scheme()).isEqualTo("mem");
        assertThat(u.hosts()).isEmpty();
        assertThat(u.path()).isEmpty();
        assertThat(u.params()).isEmpty();
        assertThat(u.raw()).isEqualTo("mem");
    }

    @Test
    void schemeWithOpaquePath() {
        assertThat(ConnectionUri.parse("mem:tests").path()).isEqualTo("tests");
        assertThat(ConnectionUri.parse("embedded:/var/lib/zk/").path()).isEqualTo("var/lib/zk");
    }

    @Test
    void hostsPathAndParameters() {
        ConnectionUri u =
                ConnectionUri.parse(
                        "zookeeper://zk1:2181,zk2:2182,zk3/apps/baton?sessionTimeout=5s&x=y");
        assertThat(u.scheme()).isEqualTo("zookeeper");
        assertThat(u.hosts()).containsExactly("zk1:2181", "zk2:2182", "zk3");
        assertThat(u.path()).isEqualTo("apps/baton");
        assertThat(u.params()).isEqualTo(Map.of("sessionTimeout", "5s", "x", "y"));
        assertThat(u.param("x")).contains("y");
        assertThat(u.param("missing")).isEmpty();
    }

    @Test
    void authorityWithoutHostsOrPath() {
        ConnectionUri u = ConnectionUri.parse("redis://");
        assertThat(u.hosts()).isEmpty();
        assertThat(u.path()).isEmpty();
        assertThat(ConnectionUri.parse("redis://h/").path()).isEmpty();
    }

    @Test
    void hostPortSplitsAndDefaults() {
        ConnectionUri u = ConnectionUri.parse("zookeeper://a:1,b");
        assertThat(u.hostPort("a:1", 2181)).hasToString("a:1");
        assertThat(u.hostPort("b", 2181)).isEqualTo(new ConnectionUri.HostPort("b", 2181));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "h:0|port \"0\" in \"h:0\" must be a number from 1 to 65535",
                "h:65536|must be a number from 1 to 65535",
                "h:http|port \"http\"",
                ":80|host is empty in \":80\"",
            })
    void badPortsAreRejected(String entry, String message) {
        ConnectionUri u = ConnectionUri.parse("zookeeper://x");
        assertThatThrownBy(() -> u.hostPort(entry, 2181))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("zookeeper://x")
                .hasMessageContaining(message);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "''|it is empty",
                "'   '|it is empty",
                "1abc://h|scheme \"1abc\" must match",
                "Zoo://h|scheme \"Zoo\" must match",
                "zookeeper://a,,b|empty host in \"a,,b\"",
                "redis://h?novalue|query parameter \"novalue\" must be key=value",
                "redis://h?=v|query parameter \"=v\" must be key=value",
            })
    void malformedUrisAreRejectedWithTheProblem(String raw, String problem) {
        assertThatThrownBy(() -> ConnectionUri.parse(raw))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("connection URI \"" + raw + "\" is invalid")
                .hasMessageContaining(problem)
                .satisfies(e -> assertThat(((InvalidUriException) e).uri()).isEqualTo(raw));
    }

    @Test
    void nullIsRejected() {
        assertThatThrownBy(() -> ConnectionUri.parse(null))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("it is empty");
    }

    @Test
    void recordCopiesItsCollections() {
        List<String> hosts = new java.util.ArrayList<>(List.of("a"));
        ConnectionUri u = new ConnectionUri("x://a", "x", hosts, "", Map.of());
        hosts.add("b");
        assertThat(u.hosts()).containsExactly("a");
    }
}
