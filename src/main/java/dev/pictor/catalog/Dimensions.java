package dev.pictor.catalog;

import java.util.regex.Pattern;
/** A pixel size. */
public record Dimensions(int width, int height) {

    public long pixels() {
        return (long) width * height;
    }

    @Override
    public String toString() {
        return width + "x" + height;
    }

    /**
     * The size with aspect {@code ratioW:ratioH} whose area is about {@code area}, shrunk until the long
     * edge is at most {@code maxEdge} and the area at most {@code maxPixels}, each side rounded down to a
     * multiple of {@code multiple}. One formula for every tiered model keeps sizes predictable.
     */
    public static Dimensions fromRatio(double ratioW, double ratioH, long area, int multiple, int maxEdge, long maxPixels) {
        double w = Math.sqrt(area * ratioW / ratioH);
        double h = w * ratioH / ratioW;
        double scale = Math.min(1.0, Math.min(maxEdge / Math.max(w, h), Math.sqrt(maxPixels / (w * h))));
        w *= scale;
        h *= scale;
        return new Dimensions(roundDown(w, multiple), roundDown(h, multiple));
    }

    private static int roundDown(double value, int multiple) {
        return Math.max(multiple, (int) Math.floor(value / multiple + 1e-9) * multiple);
    }

    /** Parses {@code "16:9"} into {width, height} parts, or null when it is not a ratio. */
    static double[] parseRatio(String value) {
        int colon = value.indexOf(':');
        if (colon <= 0) {
            return null;
        }
        try {
            double a = Double.parseDouble(value.substring(0, colon));
            double b = Double.parseDouble(value.substring(colon + 1));
            return a > 0 && b > 0 ? new double[] {a, b} : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static final Pattern CUSTOM = Pattern.compile("(\\d{1,5})[xX](\\d{1,5})");

    /** Parses {@code "2304x2048"} (also with an upper-case X), or null when it is not of that form. */
    static Dimensions parseCustom(String value) {
        var m = CUSTOM.matcher(value);
        if (!m.matches()) {
            return null;
        }
        return new Dimensions(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }
}
