package dev.pictor.auth;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The address a request comes from: the socket's peer, unless that peer is one of the operator's
 * trusted proxies ({@code PICTOR_TRUSTED_PROXIES}); then {@code X-Forwarded-For} is walked from the
 * right, skipping trusted proxies, and the first address that is not one is the client. Entries to
 * the left of it were written by the client itself and are never believed, so a client cannot
 * spoof its way into a whitelist by sending its own header.
 */
public final class ClientAddresses {
    private final List<AddressRange> trustedProxies;

    public ClientAddresses(List<String> trustedProxies) {
        List<AddressRange> ranges = new ArrayList<>();
        for (String p : trustedProxies) {
            if (!p.isBlank()) {
                try {
                    ranges.add(AddressRange.parse(p));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("PICTOR_TRUSTED_PROXIES: " + e.getMessage());
                }
            }
        }
        this.trustedProxies = List.copyOf(ranges);
    }

    /**
     * @param peer          the socket peer's address as the server reports it
     * @param forwardedFor  every {@code X-Forwarded-For} header value, in the order received
     * @return the client's address, or null when it cannot be told (a proxy sent an entry that is not an address)
     */
    public InetAddress resolve(String peer, List<String> forwardedFor) {
        InetAddress current = AddressRange.literal(peer);
        if (current == null || !trusted(current) || forwardedFor.isEmpty()) {
            return current;
        }
        List<String> hops = new ArrayList<>();
        for (String header : forwardedFor) {
            for (String hop : header.split(",")) {
                hops.add(hop.trim());
            }
        }
        for (int i = hops.size() - 1; i >= 0; i--) {
            InetAddress hop = AddressRange.literal(stripPort(hops.get(i)));
            if (hop == null) {
                return null;
            }
            current = hop;
            if (!trusted(hop)) {
                return hop;
            }
        }
        return current; // every hop is a trusted proxy: the leftmost is as far back as can be known
    }

    private boolean trusted(InetAddress a) {
        for (AddressRange r : trustedProxies) {
            if (r.contains(a)) {
                return true;
            }
        }
        return false;
    }

    /** {@code 1.2.3.4:5678} and {@code [2001:db8::1]:80} as some proxies write them. */
    private static String stripPort(String hop) {
        if (hop.startsWith("[") && hop.contains("]")) {
            return hop.substring(0, hop.indexOf(']') + 1);
        }
        int colon = hop.indexOf(':');
        if (colon > 0 && colon == hop.lastIndexOf(':') && hop.indexOf('.') > 0) {
            return hop.substring(0, colon);
        }
        return hop;
    }
}
