package dev.pictor.upstream;

import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Progress read from an upstream job's logs, for the aggregators that return a model's log text
 * while it runs (fal, Replicate): diffusers' and tqdm's progress bars print a percentage.
 */
public final class LogProgress {
    private static final Pattern PERCENT = Pattern.compile("(\\d{1,3})%");

    private LogProgress() {
    }

    /** The last percentage {@code text} prints, when it is one of 0-100. */
    public static OptionalInt lastPercent(String text) {
        Matcher m = PERCENT.matcher(text);
        int last = -1;
        while (m.find()) {
            last = Integer.parseInt(m.group(1));
        }
        return last >= 0 && last <= 100 ? OptionalInt.of(last) : OptionalInt.empty();
    }

    /** A running task's progress from that percentage: 10-95, or halfway without one. */
    public static int progress(OptionalInt percent) {
        return percent.isPresent() ? 10 + percent.getAsInt() * 85 / 100 : 50;
    }
}
