package dev.herald.webpush;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * What to push, with the RFC 8030 options. Immutable and validated on construction, so a message
 * that exists fits a 4096-byte push and has options every push service accepts.
 *
 * @param payload  plaintext to encrypt, or {@code null} for a push without data
 * @param ttl      how long the push service may hold the message (RFC 8030 {@code TTL}, whole seconds, required)
 * @param urgency  RFC 8030 {@code Urgency}
 * @param topic    RFC 8030 {@code Topic}: replaces an undelivered message with the same topic; {@code null} for none
 * @param encoding payload content coding
 * @param padding  zero bytes added inside the encryption to hide the payload's length; at encryption it is cut
 *                 so the body stays within {@link PayloadCipher#MAX_BODY_EVERYWHERE} bytes
 */
public record PushMessage(byte[] payload, Duration ttl, Urgency urgency, String topic, ContentEncoding encoding,
        int padding) {
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9_-]{1,32}");

    public PushMessage {
        if (ttl == null || ttl.isNegative()) {
            throw new IllegalArgumentException("TTL is required and must be >= 0 seconds");
        }
        if (ttl.getSeconds() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("TTL of " + ttl.getSeconds() + " seconds is too large");
        }
        if (urgency == null) {
            throw new IllegalArgumentException("urgency must not be null");
        }
        if (topic != null && !TOPIC.matcher(topic).matches()) {
            throw new IllegalArgumentException("topic must be 1 to 32 characters of the base64url alphabet "
                    + "(A-Z a-z 0-9 - _), got '" + topic + "'");
        }
        if (encoding == null) {
            throw new IllegalArgumentException("encoding must not be null");
        }
        if (payload != null) {
            payload = payload.clone();
            PayloadCipher.checkFits(payload.length, encoding, padding);
        } else if (padding != 0) {
            throw new IllegalArgumentException("padding needs a payload");
        }
    }

    @Override
    public byte[] payload() {
        return payload == null ? null : payload.clone();
    }

    /** The payload without a defensive copy, for the encryption path. */
    byte[] payloadUnsafe() {
        return payload;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().payload(payload).ttl(ttl).urgency(urgency).topic(topic).encoding(encoding).padding(padding);
    }

    /** Defaults: no payload, TTL 4 weeks, urgency normal, no topic, aes128gcm, no padding. */
    public static final class Builder {
        private byte[] payload;
        private Duration ttl = Duration.ofDays(28);
        private Urgency urgency = Urgency.NORMAL;
        private String topic;
        private ContentEncoding encoding = ContentEncoding.AES128GCM;
        private int padding;

        private Builder() {}

        public Builder payload(byte[] payload) {
            this.payload = payload;
            return this;
        }

        public Builder payload(String utf8) {
            return payload(utf8 == null ? null : utf8.getBytes(StandardCharsets.UTF_8));
        }

        public Builder ttl(Duration ttl) {
            this.ttl = ttl;
            return this;
        }

        public Builder ttlSeconds(long seconds) {
            return ttl(Duration.ofSeconds(seconds));
        }

        public Builder urgency(Urgency urgency) {
            this.urgency = urgency;
            return this;
        }

        public Builder topic(String topic) {
            this.topic = topic;
            return this;
        }

        public Builder encoding(ContentEncoding encoding) {
            this.encoding = encoding;
            return this;
        }

        public Builder padding(int padding) {
            this.padding = padding;
            return this;
        }

        public PushMessage build() {
            return new PushMessage(payload, ttl, urgency, topic, encoding, padding);
        }
    }
}
