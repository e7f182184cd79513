package dev.herald.server.common;

import java.security.SecureRandom;
import java.time.Clock;

/**
 * Time-ordered identifiers (ULID layout: 48-bit milliseconds, 80 random bits, Crockford base32, 26 chars).
 * Sorting by id sorts by creation time, which fan-out paging relies on; the random part makes them
 * unguessable.
 */
public final class Ids {
    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {}

    public static String next(Clock clock) {
        long time = clock.millis();
        byte[] random = new byte[10];
        RANDOM.nextBytes(random);
        char[] out = new char[26];
        for (int i = 9; i >= 0; i--) {
            out[i] = ALPHABET[(int) (time & 31)];
            time >>>= 5;
        }
        // 80 random bits as 16 base32 characters
        long hi = ((random[0] & 0xffL) << 32) | ((random[1] & 0xffL) << 24) | ((random[2] & 0xffL) << 16)
                | ((random[3] & 0xffL) << 8) | (random[4] & 0xffL);
        long lo = ((random[5] & 0xffL) << 32) | ((random[6] & 0xffL) << 24) | ((random[7] & 0xffL) << 16)
                | ((random[8] & 0xffL) << 8) | (random[9] & 0xffL);
        for (int i = 25; i >= 18; i--) {
            out[i] = ALPHABET[(int) (lo & 31)];
            lo >>>= 5;
        }
        for (int i = 17; i >= 10; i--) {
            out[i] = ALPHABET[(int) (hi & 31)];
            hi >>>= 5;
        }
        return new String(out);
    }

    /** Whether {@code s} has the shape of an id (so malformed path parameters fail fast as 404). */
    public static boolean looksValid(String s) {
        if (s == null || s.length() != 26) {
            return false;
        }
        for (char c : s.toCharArray()) {
            if (java.util.Arrays.binarySearch(ALPHABET, c) < 0) {
                return false;
            }
        }
        return true;
    }
}
