package dev.herald.server.ratelimit;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A token bucket's shape: {@code tokens} at most, refilled evenly over {@code period} ({@code 600/1h}: a burst of
 * 600, then one every 6 seconds).
 */
public record Rate(long tokens, Duration period) {
    private static final Pattern TEXT = Pattern.compile("(\\d{1,9})/(\\d{1,6})([smhd])");

    public Rate {
        if (tokens < 1 || period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("a rate needs at least 1 token per a positive period");
        }
    }

    /** {@code N/<count><s|m|h|d>}, e.g. {@code 30/1m}, {@code 600/1h}. */
    public static Rate parse(String text) {
        Matcher m = TEXT.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text.strip() + "' is not a rate like 600/1h (N per count of s, m, h or d)");
        }
        long count = Long.parseLong(m.group(2));
        Duration period = switch (m.group(3)) {
            case "s" -> Duration.ofSeconds(count);
            case "m" -> Duration.ofMinutes(count);
            case "h" -> Duration.ofHours(count);
            default -> Duration.ofDays(count);
        };
        return new Rate(Long.parseLong(m.group(1)), period);
    }

    @Override
    public String toString() {
        long s = period.toSeconds();
        String p = s % 86_400 == 0 ? s / 86_400 + "d" : s % 3600 == 0 ? s / 3600 + "h" : s % 60 == 0 ? s / 60 + "m" : s + "s";
        return tokens + "/" + p;
    }
}
