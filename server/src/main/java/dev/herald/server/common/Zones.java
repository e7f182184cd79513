package dev.herald.server.common;

import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import dev.herald.server.http.Fields;
import java.time.DateTimeException;
import java.time.ZoneId;

/** IANA time zones from requests. */
public final class Zones {
    private Zones() {}

    /** {@code body[name]} as a zone, or null when absent; "Mars/Base" is a 422 {@code invalid-timezone}. */
    public static ZoneId optional(Fields body, String name) {
        String text = body.optionalText(name, 64);
        if (text == null) {
            return null;
        }
        try {
            return ZoneId.of(text);
        } catch (DateTimeException e) {
            throw new ApiException(ErrorCode.INVALID_TIMEZONE, body.path(name) + " is not an IANA time zone (like "
                    + "Europe/Berlin): '" + text + "'", body.path(name));
        }
    }

    /** A stored zone id, or null when absent or no longer known to this JDK. */
    public static ZoneId stored(String id) {
        if (id == null) {
            return null;
        }
        try {
            return ZoneId.of(id);
        } catch (DateTimeException e) {
            return null;
        }
    }
}
