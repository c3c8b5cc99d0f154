package dev.pictor.api;

import dev.pictor.auth.AddressRange;
import dev.pictor.auth.KeyLimits;
import dev.pictor.billing.Credits;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The key fields of {@code POST /api/admin/keys} and {@code PATCH /api/admin/keys/{id}}, checked
 * as submit checks its body: an unknown field, a wrong type, a negative or out-of-range number or a
 * bad address is a 400 naming the field, and nothing is stored.
 */
final class KeyBodies {
    static final Set<String> CREATE_FIELDS = Set.of("tenant_id", "name", "admin", "scope", "rate_limit", "ip_whitelist",
            "hourly_credit_limit", "daily_credit_limit");
    static final Set<String> PATCH_FIELDS = Set.of("name", "rate_limit", "ip_whitelist", "hourly_credit_limit", "daily_credit_limit");
    private static final long MAX_RATE_LIMIT = 1_000_000_000L;
    private static final BigDecimal MAX_CREDITS = new BigDecimal("1000000000");
    private static final int MAX_WHITELIST = 100;

    private KeyBodies() {
    }

    static void onlyFields(ObjectNode body, Set<String> allowed) {
        for (String name : body.propertyNames()) {
            if (!allowed.contains(name)) {
                String shown = name.length() > 64 || name.chars().anyMatch(Character::isISOControl) ? "(unprintable)" : name;
                throw ApiException.badRequest("unknown field " + shown + "; this body takes "
                        + String.join(", ", allowed.stream().sorted().toList()), shown);
            }
        }
    }

    /** The limits in {@code body}, each field absent keeping its value in {@code current}; null means 0 (unlimited) or any address. */
    static KeyLimits limits(ObjectNode body, KeyLimits current) {
        long rate = body.has("rate_limit") ? rateLimit(body.get("rate_limit")) : current.rateLimit();
        List<AddressRange> whitelist = body.has("ip_whitelist") ? whitelist(body.get("ip_whitelist")) : current.ipWhitelist();
        long hourly = body.has("hourly_credit_limit") ? credits(body.get("hourly_credit_limit"), "hourly_credit_limit") : current.hourlyCreditLimit();
        long daily = body.has("daily_credit_limit") ? credits(body.get("daily_credit_limit"), "daily_credit_limit") : current.dailyCreditLimit();
        return new KeyLimits(rate, whitelist, hourly, daily);
    }

    private static long rateLimit(JsonNode v) {
        if (v.isNull()) {
            return 0;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0 || v.longValue() > MAX_RATE_LIMIT) {
            throw ApiException.badRequest("rate_limit must be a whole number of requests per hour from 0 (unlimited) to " + MAX_RATE_LIMIT,
                    "rate_limit");
        }
        return v.longValue();
    }

    private static long credits(JsonNode v, String field) {
        if (v.isNull()) {
            return 0;
        }
        BigDecimal amount;
        try {
            amount = v.isNumber() && (!v.isFloatingPointNumber() || Double.isFinite(v.doubleValue())) ? v.decimalValue() : null;
        } catch (RuntimeException e) {
            amount = null; // 1e400 read as a double is infinite and has no decimal value
        }
        if (amount == null || amount.signum() < 0 || amount.compareTo(MAX_CREDITS) > 0) {
            throw ApiException.badRequest(field + " must be a number of credits from 0 (unlimited) to " + MAX_CREDITS, field);
        }
        try {
            return Credits.millis(amount);
        } catch (ArithmeticException e) {
            throw ApiException.badRequest(field + " takes at most three decimals", field);
        }
    }

    private static List<AddressRange> whitelist(JsonNode v) {
        if (v.isNull()) {
            return List.of();
        }
        if (!v.isArray() || v.size() > MAX_WHITELIST) {
            throw ApiException.badRequest("ip_whitelist must be null (any address) or an array of up to " + MAX_WHITELIST
                    + " IPv4/IPv6 addresses or CIDR ranges", "ip_whitelist");
        }
        List<AddressRange> ranges = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            String field = "ip_whitelist[" + i + "]";
            JsonNode entry = v.get(i);
            if (!entry.isString()) {
                throw ApiException.badRequest(field + " must be a string: an IPv4 or IPv6 address or CIDR range", field);
            }
            try {
                ranges.add(AddressRange.parse(Params.text(entry.asString(), field, 64)));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(field + ": " + e.getMessage(), field);
            }
        }
        return ranges;
    }
}
