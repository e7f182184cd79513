package dev.herald.pushservice;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The legacy {@code aesgcm} headers ({@code Encryption: salt=…}, {@code Crypto-Key: dh=…}) rewritten into the one
 * form every user agent decodes. Senders quote values and pad them with {@code =} (both valid on the wire), name a
 * {@code keyid}, and put their VAPID key ({@code p256ecdsa}) in {@code Crypto-Key}; Firefox decodes {@code salt} and
 * {@code dh} as base64url with padding rejected, and picks {@code dh} by the {@code Encryption} header's keyid, so
 * a message forwarded as received can be accepted here and then dropped by the browser. This resolves the keyid
 * here and forwards only {@code salt} (and {@code rs}) and the chosen {@code dh}, unquoted and unpadded. The VAPID
 * key is not forwarded (RFC 8292 section 4.2): the browser does not use it.
 */
final class AesgcmHeaders {
    private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern RECORD_SIZE = Pattern.compile("[0-9]{1,11}");

    /** What the user agent gets, in the autopush message's {@code headers}. */
    record Forwarded(String encryption, String cryptoKey) {}

    private AesgcmHeaders() {}

    /**
     * @throws IllegalArgumentException naming the header and parameter that is missing or malformed
     */
    static Forwarded normalise(String encryption, String cryptoKey) {
        // Like user agents, only the first parameter set of Encryption counts.
        Map<String, String> enc = params(encryption.split(",", -1)[0]);
        String salt = base64url(enc.get("salt"), "Encryption", "salt", 16);
        String rs = enc.get("rs");
        if (rs != null && (!RECORD_SIZE.matcher(rs).matches() || Long.parseLong(rs) < 3)) {
            throw new IllegalArgumentException("Encryption rs must be a whole number of bytes >= 3, got '" + abbreviate(rs) + "'");
        }
        String keyId = enc.get("keyid");
        String dh = null;
        for (String set : cryptoKey.split(",")) {
            Map<String, String> p = params(set);
            String value = p.get("dh");
            if (value == null) {
                continue;
            }
            if (keyId != null && keyId.equals(p.get("keyid"))) {
                dh = value; // the key the Encryption header names
                break;
            }
            if (dh == null) {
                dh = value; // else the first one, as user agents do without a keyid
            }
        }
        String senderKey = base64url(dh, "Crypto-Key", "dh", 65);
        return new Forwarded("salt=" + salt + (rs == null ? "" : ";rs=" + rs), "dh=" + senderKey);
    }

    /** {@code a=1; b="2"} → {a: 1, b: 2}: names lower-cased, values trimmed and unquoted. */
    private static Map<String, String> params(String set) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String part : set.split(";")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String value = part.substring(eq + 1).strip();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1).strip();
            }
            out.putIfAbsent(part.substring(0, eq).strip().toLowerCase(Locale.ROOT), value);
        }
        return out;
    }

    /** The value as unpadded base64url (padding and the standard alphabet are accepted), of exactly {@code bytes}. */
    private static String base64url(String value, String header, String param, int bytes) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(header + " needs " + param + "=");
        }
        String v = value.replace('+', '-').replace('/', '_');
        int end = v.length();
        while (end > 0 && v.charAt(end - 1) == '=') {
            end--;
        }
        v = v.substring(0, end);
        // Unpadded base64 of n bytes is ceil(4n/3) characters.
        if (!BASE64URL.matcher(v).matches() || v.length() != (bytes * 4 + 2) / 3) {
            throw new IllegalArgumentException(header + " " + param + " must be " + bytes + " bytes of base64url, got '"
                    + abbreviate(value) + "'");
        }
        return v;
    }

    private static String abbreviate(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "…" : s;
    }
}
