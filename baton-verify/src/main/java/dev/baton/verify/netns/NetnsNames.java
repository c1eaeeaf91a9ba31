package dev.baton.verify.netns;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names of one ensemble's namespaces and interfaces, and the parsing of what {@code ip} prints.
 *
 * <p>Every name carries the owning JVM's pid, so that a later run can tell the leftovers of a JVM
 * that died without cleaning up (SIGKILL) from those of a live one. Namespaces are {@code
 * baton-<pid>-<seq>-<member>}; interfaces, which the kernel limits to 15 characters, are {@code
 * bt<pid>-<seq>b} (bridge) and {@code bt<pid>-<seq>h<member>} (root end of a member's veth; the
 * other end is born inside the namespace as {@code eth0}). {@code seq} (base 36) tells apart
 * several ensembles of one JVM. Immutable.
 */
final class NetnsNames {
    static final int MAX_INTERFACE_NAME = 15;
    static final int MAX_MEMBERS = 9;

    private static final Pattern NETNS_OWNER = Pattern.compile("^baton-(\\d{1,10})-.*");
    private static final Pattern LINK_OWNER = Pattern.compile("^bt(\\d{1,10})-.*");
    private static final Set<String> ROUTE_TYPES =
            Set.of(
                    "unicast",
                    "local",
                    "broadcast",
                    "multicast",
                    "anycast",
                    "blackhole",
                    "unreachable",
                    "prohibit",
                    "throw",
                    "nat");

    final long pid;
    final String seq;

    NetnsNames(long pid, int sequence) {
        this.pid = pid;
        this.seq = Integer.toString(sequence, 36);
        String longest = hostVeth(MAX_MEMBERS - 1);
        if (longest.length() > MAX_INTERFACE_NAME) {
            throw new NetnsException(
                    "interface name "
                            + longest
                            + " would exceed "
                            + MAX_INTERFACE_NAME
                            + " characters: too many ensembles started by this JVM");
        }
    }

    String netnsPrefix() {
        return "baton-" + pid + "-" + seq + "-";
    }

    String linkPrefix() {
        return "bt" + pid + "-" + seq;
    }

    String netns(int member) {
        return netnsPrefix() + member;
    }

    String bridge() {
        return linkPrefix() + "b";
    }

    String hostVeth(int member) {
        return linkPrefix() + "h" + member;
    }

    boolean ownsNetns(String name) {
        return name.startsWith(netnsPrefix());
    }

    /** Whether {@code name} is one of this ensemble's interfaces (not another seq's). */
    boolean ownsLink(String name) {
        String prefix = linkPrefix();
        return name.startsWith(prefix)
                && name.length() > prefix.length()
                && "bh".indexOf(name.charAt(prefix.length())) >= 0
                && name.substring(prefix.length() + 1).chars().allMatch(Character::isDigit);
    }

    /** The pid encoded in a namespace name of ours, if {@code name} is one. */
    static Optional<Long> netnsOwner(String name) {
        return owner(NETNS_OWNER, name);
    }

    /** The pid encoded in an interface name of ours, if {@code name} is one. */
    static Optional<Long> linkOwner(String name) {
        return owner(LINK_OWNER, name);
    }

    private static Optional<Long> owner(Pattern pattern, String name) {
        Matcher m = pattern.matcher(name);
        return m.matches() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }

    /** Namespace names from {@code ip netns list} ("name" or "name (id: 3)" per line). */
    static List<String> parseNetnsList(String output) {
        List<String> names = new ArrayList<>();
        for (String line : output.split("\n")) {
            String trimmed = line.trim();
            if (!trimmed.isEmpty()) {
                names.add(trimmed.split("\\s+")[0]);
            }
        }
        return names;
    }

    /** Interface names from {@code ip -o link show} ("7: name@if6: <FLAGS> ..." per line). */
    static List<String> parseLinkList(String output) {
        List<String> names = new ArrayList<>();
        for (String line : output.split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length < 2 || !fields[0].endsWith(":")) {
                continue; // not a link line (ip -o puts one link per line)
            }
            String name = fields[1];
            if (name.endsWith(":")) {
                name = name.substring(0, name.length() - 1);
            }
            int at = name.indexOf('@');
            names.add(at > 0 ? name.substring(0, at) : name);
        }
        return names;
    }

    /**
     * IPv4 destinations of {@code ip -4 route show table all}; "default" is left out, since every
     * subnet falls inside it and it does not make an address ambiguous.
     */
    static List<Cidr> parseRoutes(String output) {
        List<Cidr> routes = new ArrayList<>();
        for (String line : output.split("\n")) {
            String[] tokens = line.trim().split("\\s+");
            int i = tokens.length > 1 && ROUTE_TYPES.contains(tokens[0]) ? 1 : 0;
            if (tokens[i].isEmpty() || tokens[i].equals("default")) {
                continue;
            }
            Cidr.parse(tokens[i]).ifPresent(routes::add);
        }
        return routes;
    }

    /**
     * The first /24 in 10.0.0.0/8, starting at {@code start} (mod 65536) and wrapping, that
     * overlaps none of {@code taken}.
     */
    static Optional<Cidr> freeSubnet(List<Cidr> taken, int start) {
        for (int i = 0; i < 65536; i++) {
            int n = Math.floorMod(start + i, 65536);
            Cidr candidate = new Cidr((10 << 24) | (n << 8), 24);
            if (taken.stream().noneMatch(candidate::overlaps)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** An IPv4 prefix. */
    record Cidr(int base, int length) {
        static Optional<Cidr> parse(String text) {
            String[] parts = text.split("/", -1);
            if (parts.length > 2) {
                return Optional.empty();
            }
            String[] octets = parts[0].split("\\.", -1);
            if (octets.length != 4) {
                return Optional.empty();
            }
            try {
                int address = 0;
                for (String octet : octets) {
                    int value = Integer.parseInt(octet);
                    if (value < 0 || value > 255) {
                        return Optional.empty();
                    }
                    address = (address << 8) | value;
                }
                int length = parts.length == 2 ? Integer.parseInt(parts[1]) : 32;
                if (length < 0 || length > 32) {
                    return Optional.empty();
                }
                return Optional.of(new Cidr(address & mask(length), length));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }

        boolean overlaps(Cidr other) {
            int m = mask(Math.min(length, other.length));
            return (base & m) == (other.base & m);
        }

        /** The address {@code offset} places after the base, e.g. host 1 of a /24. */
        String host(int offset) {
            return format(base + offset);
        }

        private static int mask(int length) {
            return length == 0 ? 0 : -1 << (32 - length);
        }

        private static String format(int address) {
            return ((address >>> 24) & 255)
                    + "."
                    + ((address >>> 16) & 255)
                    + "."
                    + ((address >>> 8) & 255)
                    + "."
                    + (address & 255);
        }

        @Override
        public String toString() {
            return format(base) + "/" + length;
        }
    }
}
