package dev.herald.webpush;

import java.net.IDN;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Signs RFC 8292 VAPID tokens (ES256 JWTs) and caches one per push-service origin until shortly before
 * it expires, so a fan-out of a million messages to one push service signs once, not a million times.
 * Thread-safe; two threads racing on an expired entry may both sign, which is harmless.
 */
public final class VapidSigner {
    /** RFC 8292 section 2: push services may reject tokens that expire more than 24 hours ahead. */
    public static final Duration MAX_LIFETIME = Duration.ofHours(24);
    public static final Duration DEFAULT_LIFETIME = Duration.ofHours(12);
    private static final int MAX_CACHED_ORIGINS = 1024;
    private static final String HEADER = Base64Url.encode(
            "{\"typ\":\"JWT\",\"alg\":\"ES256\"}".getBytes(StandardCharsets.US_ASCII));
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@([^@\\s]+)");

    private final VapidKeys keys;
    private final String subject;
    private final String publicKey;
    private final Duration lifetime;
    private final Duration refreshMargin;
    private final Clock clock;
    private final ConcurrentHashMap<String, Token> cache = new ConcurrentHashMap<>();

    private record Token(String jwt, Instant refreshAt) {}

    /**
     * @param subject  a {@code mailto:} or {@code https:} contact for the push service's operators
     * @param lifetime how far ahead each token expires; at most 24 hours
     * @throws IllegalArgumentException for a bad subject or lifetime
     */
    public VapidSigner(VapidKeys keys, String subject, Duration lifetime, Clock clock) {
        if (keys == null || clock == null) {
            throw new IllegalArgumentException("VAPID keys and clock are required");
        }
        if (lifetime == null || lifetime.compareTo(Duration.ofMinutes(5)) < 0 || lifetime.compareTo(MAX_LIFETIME) > 0) {
            throw new IllegalArgumentException("VAPID token lifetime must be between 5 minutes and 24 hours, got " + lifetime);
        }
        checkSubject(subject);
        this.keys = keys;
        this.subject = subject;
        this.publicKey = keys.publicKeyBase64Url();
        this.lifetime = lifetime;
        // Re-sign well before expiry: a message may sit in retries, and push services' clocks drift.
        Duration quarter = lifetime.dividedBy(4);
        this.refreshMargin = quarter.compareTo(Duration.ofHours(1)) < 0 ? quarter : Duration.ofHours(1);
        this.clock = clock;
    }

    /**
     * Validates a VAPID {@code sub}: {@code mailto:} with an address, or an {@code https:} URL, on a real
     * host. Local-only subjects ({@code localhost}, {@code *.localhost}, loopback addresses, dotless hosts)
     * are refused: Apple's push service rejects such tokens with {@code BadJwtToken}.
     */
    public static void checkSubject(String subject) {
        if (subject == null || subject.isBlank()) {
            throw new IllegalArgumentException("VAPID subject is required (mailto:you@example.com or https://example.com)");
        }
        String host;
        if (subject.regionMatches(true, 0, "mailto:", 0, 7)) {
            var m = EMAIL.matcher(subject.substring(7));
            if (!m.matches()) {
                throw new IllegalArgumentException("VAPID subject '" + subject + "' is not mailto:<address>");
            }
            host = m.group(1);
        } else if (subject.regionMatches(true, 0, "https:", 0, 6)) {
            try {
                host = new URI(subject).getHost();
            } catch (URISyntaxException e) {
                host = null;
            }
            if (host == null) {
                throw new IllegalArgumentException("VAPID subject '" + subject + "' is not a valid https URL");
            }
        } else {
            throw new IllegalArgumentException("VAPID subject must start with mailto: or https:, got '" + subject + "'");
        }
        if (isLocalHost(host)) {
            throw new IllegalArgumentException("VAPID subject '" + subject + "' names a local host; push services "
                    + "(Apple's in particular) reject it. Use a real contact address or URL");
        }
    }

    private static boolean isLocalHost(String rawHost) {
        String host = rawHost.toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.equals("localhost") || host.endsWith(".localhost") || host.endsWith(".local")) {
            return true;
        }
        if (host.matches("[0-9.]+") || host.contains(":")) {
            try {
                InetAddress address = InetAddress.getByName(host); // a literal: no DNS lookup
                return address.isLoopbackAddress() || address.isAnyLocalAddress() || address.isLinkLocalAddress()
                        || address.isSiteLocalAddress();
            } catch (java.net.UnknownHostException e) {
                return true;
            }
        }
        try {
            return !IDN.toASCII(host).contains(".");
        } catch (IllegalArgumentException e) {
            return true;
        }
    }

    /** The public key, base64url, as sent in {@code k=} and given to browsers. */
    public String publicKey() {
        return publicKey;
    }

    /** A valid token for {@code origin} ({@code scheme://host[:port]}), from the cache when still fresh. */
    public String token(String origin) {
        Instant now = clock.instant();
        Token cached = cache.get(origin);
        if (cached != null && now.isBefore(cached.refreshAt())) {
            return cached.jwt();
        }
        if (cache.size() >= MAX_CACHED_ORIGINS) {
            cache.clear();
        }
        Instant expires = now.plus(lifetime);
        Token fresh = new Token(sign(origin, expires), expires.minus(refreshMargin));
        cache.put(origin, fresh);
        return fresh.jwt();
    }

    /** The RFC 8292 {@code Authorization} header value for {@code origin}. */
    public String authorization(String origin) {
        return "vapid t=" + token(origin) + ", k=" + publicKey;
    }

    private String sign(String audience, Instant expires) {
        String claims = "{\"aud\":" + FlatJson.quote(audience) + ",\"exp\":" + expires.getEpochSecond()
                + ",\"sub\":" + FlatJson.quote(subject) + "}";
        String signingInput = HEADER + "." + Base64Url.encode(claims.getBytes(StandardCharsets.UTF_8));
        byte[] signature = VapidKeys.sign(keys.privateKey(), signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + Base64Url.encode(signature);
    }
}
