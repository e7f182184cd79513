package dev.herald.server.engagement;

import dev.herald.webpush.Base64Url;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Per-delivery receipts: {@code <subscriptionId>.<mac>} with an HMAC over notification and subscription, added to
 * each push payload as {@code herald.receipt}. The service worker sends it back with its events, which proves the
 * caller received that notification on that subscription without giving the service worker a user token.
 * The key is derived from the receipt key (its own secret, shared by every node of a cluster).
 */
public final class Receipts {
    /** Bytes a stamp adds to the payload: {@code ,"receipt":"} + 26 + 1 + 22 + {@code "}, with room to spare. */
    public static final int RESERVED_BYTES = 64;
    private static final int MAC_BYTES = 16;

    private final SecretKeySpec key;

    /** {@code key}: 32 bytes, the same on every node (derived from the receipt key). */
    public Receipts(byte[] key) {
        this.key = new SecretKeySpec(key, "HmacSHA256");
    }

    public String issue(String notificationId, String subscriptionId) {
        return subscriptionId + "." + Base64Url.encode(mac(notificationId, subscriptionId));
    }

    /** The subscription a receipt names, if it is genuine for this notification. */
    public Optional<String> verify(String notificationId, String receipt) {
        int dot = receipt.indexOf('.');
        if (dot <= 0) {
            return Optional.empty();
        }
        String subscriptionId = receipt.substring(0, dot);
        byte[] given;
        try {
            given = Base64Url.decode(receipt.substring(dot + 1), "receipt");
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return MessageDigest.isEqual(given, mac(notificationId, subscriptionId)) ? Optional.of(subscriptionId) : Optional.empty();
    }

    private byte[] mac(String notificationId, String subscriptionId) {
        return Arrays.copyOf(hmac(key, notificationId + "." + subscriptionId), MAC_BYTES);
    }

    private static byte[] hmac(SecretKeySpec key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is always available", e);
        }
    }
}
