package dev.herald.webpush;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the reason token out of a push service's refusal body (see {@link DeliveryResult#reasonCode}). */
final class RefusalReason {
    /** Apple answers {"reason": "…"}; FCM's JSON errors carry "errorCode": "…" in their details. */
    private static final Pattern JSON_REASON = Pattern.compile("\"(?:reason|errorCode)\"\\s*:\\s*\"([A-Za-z][A-Za-z0-9_]{0,63})\"");
    /** Tokens worth telling an operator about, when a service puts them in a text or HTML body. */
    private static final Pattern KNOWN = Pattern.compile("\\b(VapidPkHashMismatch|BadJwtToken|ExpiredJwtToken|BadWebPushTopic"
            + "|BadExpirationDate|UnauthorizedRegistration|InvalidRegistration|MismatchSenderId)\\b");

    private RefusalReason() {}

    static Optional<String> code(String body) {
        if (body == null || body.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = JSON_REASON.matcher(body);
        if (m.find()) {
            return Optional.of(m.group(1));
        }
        m = KNOWN.matcher(body);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }
}
