package dev.herald.server.notification;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;

/**
 * "Deliver at the user's local time": {@code "09:00"} (the next 09:00 where each device is, from the moment of the
 * request) or {@code "2026-12-01T09:00"} (that wall-clock time in each zone; already past in a zone: now).
 */
public record LocalSend(LocalTime time, LocalDateTime dateTime) {
    /** Every zone's offset lies within UTC-12..UTC+14; with DST a day can be 25 hours. */
    static final Duration LATEST_AFTER_WALL_CLOCK = Duration.ofHours(13);
    static final Duration LATEST_AFTER_REQUEST = Duration.ofHours(25);

    public static LocalSend parse(String text) {
        try {
            if (text.length() == 5) {
                return new LocalSend(LocalTime.parse(text), null);
            }
            return new LocalSend(null, LocalDateTime.parse(text));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("must be a local time HH:MM or date and time YYYY-MM-DDTHH:MM");
        }
    }

    /** When it is due for a device in {@code zone}, for a notification requested at {@code base}. */
    public Instant dueIn(ZoneId zone, Instant base) {
        if (dateTime != null) {
            Instant at = ZonedDateTime.of(dateTime, zone).toInstant();
            return at.isBefore(base) ? base : at;
        }
        ZonedDateTime local = base.atZone(zone);
        Instant today = ZonedDateTime.of(local.toLocalDate(), time, zone).toInstant();
        return today.isBefore(base) ? ZonedDateTime.of(local.toLocalDate().plusDays(1), time, zone).toInstant() : today;
    }

    /** The latest instant any zone can be due: what bounds the notification's own expiry. */
    Instant latest(Instant base) {
        return dateTime != null ? dateTime.toInstant(java.time.ZoneOffset.UTC).plus(LATEST_AFTER_WALL_CLOCK)
                : base.plus(LATEST_AFTER_REQUEST);
    }

    /** The earliest instant any zone can be due. */
    Instant earliest() {
        return dateTime.toInstant(java.time.ZoneOffset.UTC).minus(Duration.ofHours(14));
    }

    @Override
    public String toString() {
        return dateTime != null ? dateTime.toString() : time.toString();
    }
}
