package dev.herald.webpush;

import java.net.URI;
import java.net.URISyntaxException;
import java.security.interfaces.ECPublicKey;
import java.util.Locale;

/**
 * A browser's push subscription: the push resource URL and the keys from {@code PushSubscription.toJSON()}.
 * Immutable; the public key is parsed and checked to be on P-256 once, here.
 *
 * <p>This class does not decide which hosts are acceptable endpoints; that is the application's policy
 * (Herald's server applies a push-host allow-list before it ever builds one).
 */
public record PushSubscription(URI endpoint, ECPublicKey p256dh, byte[] auth) {
    public PushSubscription {
        if (endpoint == null) {
            throw new IllegalArgumentException("endpoint is missing");
        }
        String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") || endpoint.getHost() == null) {
            throw new IllegalArgumentException("endpoint must be an absolute http(s) URL, got '" + endpoint + "'");
        }
        if (p256dh == null || !EcKeys.isP256(p256dh.getParams())) {
            throw new IllegalArgumentException("p256dh must be a P-256 public key");
        }
        if (auth == null || auth.length != 16) {
            throw new IllegalArgumentException("auth must be a 16-byte secret, got "
                    + (auth == null ? "none" : auth.length + " bytes"));
        }
        auth = auth.clone();
    }

    /**
     * Builds a subscription from the strings a browser reports.
     *
     * @throws IllegalArgumentException naming the field that is malformed
     */
    public static PushSubscription of(String endpoint, String p256dh, String auth) {
        URI uri;
        try {
            uri = new URI(endpoint == null ? "" : endpoint.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("endpoint is not a valid URL: " + e.getReason());
        }
        return new PushSubscription(uri,
                EcKeys.publicKey(Base64Url.decode(p256dh, "p256dh"), "p256dh"),
                Base64Url.decode(auth, "auth"));
    }

    @Override
    public byte[] auth() {
        return auth.clone();
    }

    /** The push service's origin, which is the VAPID audience and the unit of connection limits. */
    public String origin() {
        return origin(endpoint);
    }

    static String origin(URI uri) {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        boolean defaultPort = port == -1 || (scheme.equals("https") && port == 443) || (scheme.equals("http") && port == 80);
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    }

    @Override
    public String toString() {
        return "PushSubscription[" + endpoint + "]";
    }
}
