package dev.pictor.auth;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 address or CIDR range, from text an operator wrote ({@code 203.0.113.7},
 * {@code 10.0.0.0/8}, {@code 2001:db8::/32}). Only literals are accepted, never host names, so
 * parsing never touches DNS. An IPv4-mapped IPv6 client ({@code ::ffff:10.1.2.3}) matches IPv4 ranges.
 */
public record AddressRange(String text, byte[] network, int prefix) {
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]{2,45}");

    /** Parses an address or range; IllegalArgumentException saying what is wrong otherwise. */
    public static AddressRange parse(String raw) {
        String t = raw == null ? "" : raw.trim();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        InetAddress a = literal(addr);
        if (a == null) {
            throw new IllegalArgumentException("'" + clip(t) + "' is not an IPv4 or IPv6 address or CIDR range");
        }
        byte[] bytes = a.getAddress();
        int prefix = bytes.length * 8;
        if (slash >= 0) {
            String p = t.substring(slash + 1);
            if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > bytes.length * 8) {
                throw new IllegalArgumentException("'" + clip(t) + "' has a bad prefix length (0-" + bytes.length * 8 + ")");
            }
            prefix = Integer.parseInt(p);
        }
        byte[] network = bytes.clone();
        for (int bit = prefix; bit < network.length * 8; bit++) {
            network[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return new AddressRange(t, network, prefix);
    }

    /**
     * The address an IP literal names, or null when the text is not one (a host name, garbage, an
     * address with a zone). Brackets around IPv6 are accepted, as proxies write them.
     */
    public static InetAddress literal(String raw) {
        if (raw == null) {
            return null;
        }
        String s = raw.trim();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        boolean v4 = IPV4.matcher(s).matches();
        if (!v4 && !(s.indexOf(':') >= 0 && IPV6.matcher(s).matches())) {
            return null;
        }
        try {
            // A literal by the checks above, so no lookup happens; Java turns ::ffff:a.b.c.d into the IPv4 address.
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length == 16 && network.length == 4 && address instanceof Inet6Address && isMappedV4(a)) {
            a = new byte[] {a[12], a[13], a[14], a[15]};
        }
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

    private static boolean isMappedV4(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    private static String clip(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AddressRange r && r.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
