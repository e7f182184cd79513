package dev.herald.server.subscription;

import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which push endpoints Herald will ever POST to: the defence against using subscriptions for request forgery.
 * An endpoint must be https on a known push service's host (or an operator-configured one), and its host must
 * not resolve to a loopback, private, link-local (cloud metadata), CGNAT, multicast or unspecified address.
 * Herald's own embedded push service is allowed as it is, but only its exact push path {@code /wpush/v1|v2/{token}}:
 * no other path on Herald's own origin (dot segments, encoded characters, a query or a fragment would reach other
 * routes, with our VAPID header). A development flag accepts http, and push services on
 * localhost or an IP literal (a local test push service) without listing them.
 */
public final class PushHostPolicy {
    /** Hosts of the browsers' push services; a leading dot allows any subdomain. */
    static final List<String> KNOWN_PUSH_HOSTS = List.of(
            "fcm.googleapis.com", "android.googleapis.com",          // Chrome, Edge on Android, Opera, Samsung
            "updates.push.services.mozilla.com", ".push.services.mozilla.com", // Firefox
            ".push.apple.com",                                       // Safari (web.push.apple.com)
            ".notify.windows.com");                                  // Edge on Windows (WNS)

    /** The only path of Herald's own push service a subscription may name: what {@code EndpointTokens} issue. */
    private static final java.util.regex.Pattern OWN_PUSH_PATH = java.util.regex.Pattern.compile("/wpush/v[12]/[A-Za-z0-9_-]+");

    /** Resolves host names; tests substitute one that answers without DNS. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final List<String> allowedHosts;
    private final java.util.function.Supplier<URI> ownPushService;
    private final boolean allowPrivate;
    private final Resolver resolver;

    public PushHostPolicy(List<String> extraHosts, java.util.function.Supplier<URI> ownPushService, boolean allowPrivate,
            Resolver resolver) {
        List<String> hosts = new ArrayList<>(KNOWN_PUSH_HOSTS);
        hosts.addAll(extraHosts);
        this.allowedHosts = List.copyOf(hosts);
        this.ownPushService = ownPushService;
        this.allowPrivate = allowPrivate;
        this.resolver = resolver;
    }

    /** The endpoint as a URI when it may be used; otherwise an {@code endpoint-not-allowed} problem saying why. */
    public URI check(String endpoint) {
        URI uri;
        try {
            uri = new URI(endpoint);
        } catch (URISyntaxException e) {
            throw refused("subscription.endpoint is not a valid URL");
        }
        String host = uri.getHost();
        if (!uri.isAbsolute() || host == null || uri.getRawUserInfo() != null) {
            throw refused("subscription.endpoint must be an absolute URL with a host and no user info");
        }
        host = host.toLowerCase(Locale.ROOT);
        if (isOwnPushService(uri)) {
            return uri;
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(allowPrivate && scheme.equals("http"))) {
            throw refused("subscription.endpoint must use https");
        }
        if (allowPrivate && isLocalDevelopmentHost(host)) {
            return uri; // development: a push service on this machine or the local network
        }
        if (!isAllowedHost(host)) {
            throw refused("subscription.endpoint host '" + host + "' is not a known push service "
                    + "(FCM, Mozilla, Apple, Microsoft) or a configured push host");
        }
        if (!allowPrivate) {
            InetAddress[] addresses;
            try {
                addresses = resolver.resolve(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
            } catch (UnknownHostException e) {
                throw refused("subscription.endpoint host '" + host + "' does not resolve");
            }
            for (InetAddress a : addresses) {
                if (isForbidden(a)) {
                    throw refused("subscription.endpoint host '" + host + "' resolves to a private or local address");
                }
            }
        }
        return uri;
    }

    /**
     * Checked again right before each send, because an operator-configured push host's DNS may be someone else's
     * and may now point inside our network (DNS rebinding): a reason when the endpoint's host now resolves to a
     * forbidden address, else empty (also when it does not resolve: the send then fails as a transport error and
     * is retried). Uses the same resolver as {@link #check}. The JDK HttpClient cannot be handed the checked
     * address (no per-client resolver, up to JDK 25), so the connection resolves again; with the JVM's resolver
     * both lookups are answered from its address cache ({@code networkaddress.cache.ttl}, 30 s), which closes all
     * but a sub-millisecond window at a cache expiry. Herald's own push service and the development flag skip it.
     */
    public java.util.Optional<String> sendTimeRefusal(String endpoint) {
        if (allowPrivate) {
            return java.util.Optional.empty();
        }
        URI uri;
        try {
            uri = new URI(endpoint);
        } catch (URISyntaxException e) {
            return java.util.Optional.of("endpoint is not a valid URL");
        }
        String host = uri.getHost();
        if (host == null || isOwnPushService(uri)) {
            return java.util.Optional.empty();
        }
        host = host.toLowerCase(Locale.ROOT);
        try {
            for (InetAddress a : resolver.resolve(host.startsWith("[") ? host.substring(1, host.length() - 1) : host)) {
                if (isForbidden(a)) {
                    return java.util.Optional.of("not sent: push host '" + host + "' now resolves to a private or local address ("
                            + a.getHostAddress() + "); refused by the push-host policy at send time");
                }
            }
        } catch (UnknownHostException e) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.empty();
    }

    /**
     * A webhook URL, by the same rules as a push endpoint except the list of push-service hosts (webhooks go to the
     * app's own servers): https, no user info, a host that resolves only to public addresses. The development flag
     * accepts http and local hosts. Refused: a {@code webhook-url-not-allowed} problem saying why.
     */
    public URI checkWebhook(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw webhookRefused("url is not a valid URL");
        }
        String host = uri.getHost();
        if (!uri.isAbsolute() || host == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
            throw webhookRefused("url must be an absolute URL with a host, no user info and no fragment");
        }
        host = host.toLowerCase(Locale.ROOT);
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(allowPrivate && scheme.equals("http"))) {
            throw webhookRefused("url must use https");
        }
        if (allowPrivate) {
            return uri;
        }
        try {
            for (InetAddress a : webhookAddresses(host)) {
                if (isForbidden(a)) {
                    throw webhookRefused("url host '" + host + "' resolves to a private or local address");
                }
            }
        } catch (UnknownHostException e) {
            throw webhookRefused("url host '" + host + "' does not resolve");
        }
        return uri;
    }

    /** {@link #sendTimeRefusal} for a webhook URL: no exemption for Herald's own push service. */
    public java.util.Optional<String> webhookSendTimeRefusal(String url) {
        if (allowPrivate) {
            return java.util.Optional.empty();
        }
        String host;
        try {
            host = new URI(url).getHost();
        } catch (URISyntaxException e) {
            return java.util.Optional.of("url is not a valid URL");
        }
        if (host == null) {
            return java.util.Optional.of("url has no host");
        }
        host = host.toLowerCase(Locale.ROOT);
        try {
            for (InetAddress a : webhookAddresses(host)) {
                if (isForbidden(a)) {
                    return java.util.Optional.of("not sent: webhook host '" + host + "' now resolves to a private or local address ("
                            + a.getHostAddress() + "); refused by the request-forgery policy at send time");
                }
            }
        } catch (UnknownHostException e) {
            return java.util.Optional.empty(); // the send fails as a transport error and is retried
        }
        return java.util.Optional.empty();
    }

    /** An IP literal is its own address (no lookup); a name is resolved. */
    private InetAddress[] webhookAddresses(String host) throws UnknownHostException {
        if (host.startsWith("[") || host.matches("[0-9.]+")) {
            return new InetAddress[] {InetAddress.getByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host)};
        }
        return resolver.resolve(host);
    }

    private static ApiException webhookRefused(String detail) {
        return new ApiException(ErrorCode.WEBHOOK_URL_NOT_ALLOWED, detail, "url");
    }

    private boolean isOwnPushService(URI uri) {
        URI own = ownPushService.get();
        return own != null
                && uri.getScheme().equalsIgnoreCase(own.getScheme())
                && uri.getHost().equalsIgnoreCase(own.getHost())
                && uri.getPort() == own.getPort()
                && uri.getRawPath() != null && OWN_PUSH_PATH.matcher(uri.getRawPath()).matches()
                && uri.getRawQuery() == null && uri.getRawFragment() == null;
    }

    private static boolean isLocalDevelopmentHost(String host) {
        return host.equals("localhost") || host.matches("[0-9.]+") || host.startsWith("[");
    }

    private boolean isAllowedHost(String host) {
        for (String allowed : allowedHosts) {
            if (allowed.startsWith(".") ? host.endsWith(allowed) : host.equals(allowed)) {
                return true;
            }
        }
        return false;
    }

    static boolean isForbidden(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first == 0 || (first == 100 && second >= 64 && second <= 127) // CGNAT 100.64/10
                    || (first == 192 && second == 0 && (b[2] & 0xff) == 0)     // 192.0.0/24 protocol assignments
                    || (first == 198 && (second == 18 || second == 19))        // benchmarking 198.18/15
                    || first >= 240;                                           // reserved, broadcast
        }
        if (a instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) {
                return true; // unique local fc00::/7
            }
            boolean v4mapped = true;
            for (int i = 0; i < 10; i++) {
                v4mapped &= b[i] == 0;
            }
            if (v4mapped && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
                try {
                    return isForbidden(InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16)));
                } catch (UnknownHostException e) {
                    return true;
                }
            }
        }
        return false;
    }

    private static ApiException refused(String detail) {
        return new ApiException(ErrorCode.ENDPOINT_NOT_ALLOWED, detail, "subscription.endpoint");
    }
}
