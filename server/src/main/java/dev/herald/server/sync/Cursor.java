package dev.herald.server.sync;

import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import dev.herald.webpush.Base64Url;
import java.nio.charset.StandardCharsets;

/** Opaque change-feed cursors: base64url of {@code v1.<collection>.<version>}, bound to their collection. */
final class Cursor {
    private Cursor() {}

    static String encode(String collection, long version) {
        return Base64Url.encode(("v1." + collection + "." + version).getBytes(StandardCharsets.UTF_8));
    }

    static long decode(String collection, String cursor) {
        if (cursor.length() > 200) {
            throw invalid();
        }
        String text;
        try {
            text = new String(Base64Url.decode(cursor, "cursor"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
        String prefix = "v1." + collection + ".";
        if (!text.startsWith(prefix)) {
            throw invalid();
        }
        try {
            long version = Long.parseLong(text.substring(prefix.length()));
            if (version < 0) {
                throw invalid();
            }
            return version;
        } catch (NumberFormatException e) {
            throw invalid();
        }
    }

    private static ApiException invalid() {
        return new ApiException(ErrorCode.INVALID_CURSOR, "since is not a cursor this collection's change feed returned");
    }
}
