package dev.pictor.billing;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Credit amounts are held as whole millicredits (1 credit = 1000): APIDot's table has fractions
 * (4.2, 3.5, 10.5 credits) that a {@code double} cannot sum exactly, and a ledger must sum exactly.
 * 1 credit = US$0.005.
 */
public final class Credits {
    public static final int MILLIS_PER_CREDIT = 1000;
    private static final BigDecimal USD_PER_CREDIT = new BigDecimal("0.005");

    private Credits() {
    }

    /** Credits (up to three decimals) to millicredits; more decimals are an error, not a rounding. */
    public static long millis(BigDecimal credits) {
        return credits.movePointRight(3).setScale(0, RoundingMode.UNNECESSARY).longValueExact();
    }

    /** Millicredits as credits, without trailing zeros (7, 4.2, 3.5). */
    public static BigDecimal credits(long millis) {
        BigDecimal c = BigDecimal.valueOf(millis, 3).stripTrailingZeros();
        return c.scale() < 0 ? c.setScale(0) : c;
    }

    /** Millicredits in US dollars at 1 credit = US$0.005. */
    public static BigDecimal usd(long millis) {
        BigDecimal d = BigDecimal.valueOf(millis, 3).multiply(USD_PER_CREDIT).stripTrailingZeros();
        return d.scale() < 0 ? d.setScale(0) : d;
    }
}
