package dev.pictor.auth;

import java.net.InetAddress;
import java.util.List;

/**
 * A key's limits, as APIDot has them; 0 means unlimited. {@code rateLimit} is requests per fixed
 * UTC hour; the credit limits are millicredits per fixed UTC hour and day; an empty
 * {@code ipWhitelist} allows any address.
 */
public record KeyLimits(long rateLimit, List<AddressRange> ipWhitelist, long hourlyCreditLimit, long dailyCreditLimit) {
    public static final KeyLimits NONE = new KeyLimits(0, List.of(), 0, 0);

    public KeyLimits {
        ipWhitelist = List.copyOf(ipWhitelist);
        if (rateLimit < 0 || hourlyCreditLimit < 0 || dailyCreditLimit < 0) {
            throw new IllegalArgumentException("limits are 0 (unlimited) or positive");
        }
    }

    public boolean hasCreditLimit() {
        return hourlyCreditLimit > 0 || dailyCreditLimit > 0;
    }

    /** True when {@code client} may use the key; a client whose address is unknown may not, once there is a whitelist. */
    public boolean allows(InetAddress client) {
        if (ipWhitelist.isEmpty()) {
            return true;
        }
        if (client == null) {
            return false;
        }
        for (AddressRange r : ipWhitelist) {
            if (r.contains(client)) {
                return true;
            }
        }
        return false;
    }

    String whitelistColumn() {
        return ipWhitelist.isEmpty() ? null : String.join(",", ipWhitelist.stream().map(AddressRange::text).toList());
    }

    static List<AddressRange> parseColumn(String column) {
        if (column == null || column.isBlank()) {
            return List.of();
        }
        return java.util.Arrays.stream(column.split(",")).map(AddressRange::parse).toList();
    }
}
