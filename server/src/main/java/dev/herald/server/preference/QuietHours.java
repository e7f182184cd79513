package dev.herald.server.preference;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * A daily window of local time, {@code [start, end)}, during which a user wants no notifications. It may cross
 * midnight (22:00–07:00). Evaluated in a time zone with its DST rules: the end of a window that falls into a
 * spring-forward gap moves forward by the gap, as {@link ZonedDateTime#of} resolves it.
 */
public record QuietHours(LocalTime start, LocalTime end) {
    public QuietHours {
        if (start.equals(end)) {
            throw new IllegalArgumentException("quiet hours need a start different from the end");
        }
    }

    /** When the window that contains {@code at} ends, or empty when {@code at} is outside quiet hours. */
    public Optional<Instant> endIfInside(Instant at, ZoneId zone) {
        ZonedDateTime local = at.atZone(zone);
        LocalTime t = local.toLocalTime();
        LocalDate day = local.toLocalDate();
        boolean crossesMidnight = start.isAfter(end);
        if (!crossesMidnight) {
            return !t.isBefore(start) && t.isBefore(end) ? Optional.of(instant(day, zone)) : Optional.empty();
        }
        if (!t.isBefore(start)) {
            return Optional.of(instant(day.plusDays(1), zone)); // evening part: ends tomorrow morning
        }
        return t.isBefore(end) ? Optional.of(instant(day, zone)) : Optional.empty();
    }

    private Instant instant(LocalDate day, ZoneId zone) {
        return ZonedDateTime.of(day, end, zone).toInstant();
    }
}
