package dev.herald.server.common;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 network ({@code 10.0.0.0/8}, {@code 2001:db8::/32}; a bare address is a single host), and the
 * strict parsing of IP literals that goes with it: {@link #address} never asks DNS, so text from a request header
 * can be handed to it safely.
 */
public record Cidr(byte[] network, int prefix) {
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    public Cidr {
        network = network.clone();
        if (prefix < 0 || prefix > network.length * 8) {
            throw new IllegalArgumentException("prefix /" + prefix + " is out of range");
        }
    }

    /** {@code 192.0.2.0/24}, {@code 2001:db8::/32} or a single address; anything else is an IllegalArgumentException. */
    public static Cidr parse(String text) {
        String t = text.strip();
        int slash = t.indexOf('/');
        InetAddress address = address(slash < 0 ? t : t.substring(0, slash));
        if (address == null) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR");
        }
        int bits = address.getAddress().length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String p = t.substring(slash + 1);
            if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > bits) {
                throw new IllegalArgumentException("'" + text + "' has an invalid prefix length (0 to " + bits + ")");
            }
            prefix = Integer.parseInt(p);
        }
        return new Cidr(address.getAddress(), prefix);
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != network.length) {
            return false;
        }
        for (int bit = 0; bit < prefix; bit++) {
            int mask = 0x80 >>> (bit % 8);
            if ((a[bit / 8] & mask) != (network[bit / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    /**
     * An IPv4 or IPv6 literal (IPv4-mapped IPv6 becomes IPv4; a zone id is dropped), or null when the text is
     * not one. Never a DNS lookup.
     */
    public static InetAddress address(String text) {
        if (text == null) {
            return null;
        }
        String t = text;
        int zone = t.indexOf('%');
        if (zone >= 0 && t.indexOf(':') >= 0) {
            t = t.substring(0, zone);
        }
        boolean v4 = IPV4.matcher(t).matches();
        if (!v4 && !(t.indexOf(':') >= 0 && IPV6.matcher(t).matches())) {
            return null;
        }
        try {
            return InetAddress.getByName(v4 ? t : "[" + t + "]"); // a literal: parsed, never resolved
        } catch (UnknownHostException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && java.util.Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(network) * 31 + prefix;
    }
}
