package dev.baton.verify.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.verify.netns.NetnsNames.Cidr;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetnsNamesTest {
    @Test
    void namesCarryTheOwnerPidAndFitTheKernelLimit() {
        NetnsNames names = new NetnsNames(4_194_304, 46_655); // the largest pid and seq "zzz"
        assertThat(names.hostVeth(NetnsNames.MAX_MEMBERS - 1)).hasSize(15);
        assertThat(names.bridge()).isEqualTo("bt4194304-zzzb");
        assertThat(names.netns(2)).isEqualTo("baton-4194304-zzz-2");
        assertThat(NetnsNames.linkOwner(names.hostVeth(3))).contains(4_194_304L);
        assertThat(NetnsNames.linkOwner(names.bridge())).contains(4_194_304L);
        assertThat(NetnsNames.netnsOwner(names.netns(0))).contains(4_194_304L);
    }

    @Test
    void aSequenceTooLongForAnInterfaceNameIsRejected() {
        assertThatThrownBy(() -> new NetnsNames(4_194_304, 46_656))
                .isInstanceOf(NetnsException.class)
                .hasMessageContaining("15 characters");
    }

    @Test
    void foreignNamesHaveNoOwner() {
        assertThat(NetnsNames.linkOwner("btrfs0")).isEmpty();
        assertThat(NetnsNames.linkOwner("eth0")).isEmpty();
        assertThat(NetnsNames.linkOwner("bt12")).isEmpty();
        assertThat(NetnsNames.netnsOwner("baton-x-1")).isEmpty();
        assertThat(NetnsNames.netnsOwner("docker-1234-0")).isEmpty();
        assertThat(NetnsNames.netnsOwner("baton-1234-probe")).contains(1234L);
    }

    @Test
    void anEnsembleOwnsOnlyItsOwnSequencesLinks() {
        NetnsNames one = new NetnsNames(77, 1); // seq "1"
        NetnsNames other = new NetnsNames(77, 53); // seq "1h": its names start with one's prefix
        assertThat(one.ownsLink(one.hostVeth(0))).isTrue();
        assertThat(one.ownsLink(one.bridge())).isTrue();
        assertThat(one.ownsLink(other.hostVeth(0))).isFalse();
        assertThat(one.ownsLink(other.bridge())).isFalse();
        assertThat(one.ownsNetns(other.netns(0))).isFalse();
        assertThat(one.ownsNetns("baton-77-1-4")).isTrue();
    }

    @Test
    void parsesNetnsList() {
        assertThat(NetnsNames.parseNetnsList("baton-1-0-1 (id: 3)\nplain\n\n"))
                .containsExactly("baton-1-0-1", "plain");
        assertThat(NetnsNames.parseNetnsList("")).isEmpty();
    }

    @Test
    void parsesLinkList() {
        String output =
                "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode"
                        + " DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00\n"
                        + "7: bt42-0h1@if6: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master"
                        + " bt42-0b\n"
                        + "8: bt42-0b: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500\n"
                        + "\n";
        assertThat(NetnsNames.parseLinkList(output)).containsExactly("lo", "bt42-0h1", "bt42-0b");
    }

    @Test
    void parsesRoutesOfEveryTableButDefault() {
        String output =
                "default via 192.0.2.1 dev eth0\n"
                        + "192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2\n"
                        + "local 192.0.2.2 dev eth0 table local proto kernel scope host src"
                        + " 192.0.2.2\n"
                        + "local 127.0.0.0/8 dev lo table local proto kernel scope host src"
                        + " 127.0.0.1\n"
                        + "blackhole 10.7.0.0/16\n"
                        + "unreachable default table 5\n";
        assertThat(NetnsNames.parseRoutes(output))
                .extracting(Cidr::toString)
                .containsExactly("192.0.2.0/24", "192.0.2.2/32", "127.0.0.0/8", "10.7.0.0/16");
    }

    @Test
    void picksTheFirstFreeSlash24AndWraps() {
        List<Cidr> taken = List.of(cidr("10.0.0.0/16"), cidr("10.1.0.0/24"));
        assertThat(NetnsNames.freeSubnet(taken, 0)).map(Cidr::toString).contains("10.1.1.0/24");
        assertThat(NetnsNames.freeSubnet(List.of(cidr("10.255.255.7/32")), 65_535))
                .map(Cidr::toString)
                .contains("10.0.0.0/24");
        assertThat(NetnsNames.freeSubnet(List.of(cidr("10.0.0.0/8")), 123)).isEmpty();
        assertThat(NetnsNames.freeSubnet(List.of(cidr("192.168.0.0/16")), 258))
                .map(Cidr::toString)
                .contains("10.1.2.0/24");
    }

    @Test
    void cidrParsing() {
        assertThat(cidr("10.1.2.3/24")).hasToString("10.1.2.0/24");
        assertThat(cidr("10.1.2.0/24").host(254)).isEqualTo("10.1.2.254");
        assertThat(cidr("0.0.0.0/0").overlaps(cidr("10.1.2.0/24"))).isTrue();
        assertThat(cidr("10.1.2.0/24").overlaps(cidr("10.1.3.0/24"))).isFalse();
        for (String bad :
                List.of("10.0.0.256", "1.2.3", "1.2.3.4/33", "fe80::/64", "a.b.c.d", "")) {
            assertThat(Cidr.parse(bad)).as(bad).isEmpty();
        }
    }

    private static Cidr cidr(String text) {
        return Cidr.parse(text).orElseThrow();
    }
}
