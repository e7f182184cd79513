package dev.herald.server.http;

import dev.herald.server.common.Cidr;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one answer to "which client sent this request?", used wherever an address matters (subscriptions per
 * address, rate limits, the anonymous Idempotency-Key scope, logs): {@link #install} makes it Javalin's
 * {@code ctx.ip()} and {@code ctx.scheme()}, so no handler can read the raw socket address by accident.
 *
 * <p>Forwarding headers are believed only from a peer inside {@code trusted-proxies}. Then Herald reads
 * {@code X-Forwarded-For} (or, when there is none, RFC 7239 {@code Forwarded}) from right to left, skipping hops
 * that are themselves trusted proxies, and takes the first untrusted one: entries left of it were written by
 * the client and may be forged. X-Forwarded-For wins over Forwarded because common proxies (nginx among them)
 * append to the former and pass a client's own {@code Forwarded} header through untouched. An obfuscated
 * identifier ({@code _hidden}) is the client's key as the proxy chose it; {@code unknown} or anything
 * unparseable stops the walk at the nearest address known (the proxy that reported it). Never throws.
 */
public final class ClientAddress {
    /** No trusted proxies: the socket's peer, forwarding headers ignored. */
    public static final ClientAddress DIRECT = new ClientAddress(List.of());
    private static final int MAX_HOPS = 32;
    private static final Pattern OBFUSCATED = Pattern.compile("_[A-Za-z0-9._-]{1,64}");

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ClientAddress.class);
    private final List<Cidr> trusted;
    private final java.util.concurrent.atomic.AtomicBoolean warned = new java.util.concurrent.atomic.AtomicBoolean();

    public ClientAddress(List<Cidr> trusted) {
        this.trusted = List.copyOf(trusted);
    }

    /** Makes this Javalin's {@code ctx.ip()} and {@code ctx.scheme()}. */
    public void install(JavalinConfig config) {
        config.contextResolver.ip = this::of;
        config.contextResolver.scheme = this::scheme;
    }

    /** The client's address (canonical text form) or its proxy-chosen obfuscated identifier. */
    public String of(Context ctx) {
        return resolve(ctx.req().getRemoteAddr(), headers(ctx, "X-Forwarded-For"), headers(ctx, "Forwarded")).address();
    }

    /** The same for a WebSocket, from its upgrade request. */
    public String of(org.eclipse.jetty.websocket.api.Session session) {
        String peer = session.getRemoteSocketAddress() instanceof java.net.InetSocketAddress a
                ? a.getAddress().getHostAddress() : String.valueOf(session.getRemoteSocketAddress());
        var request = session.getUpgradeRequest();
        return resolve(peer, nonNull(request.getHeaders("X-Forwarded-For")), nonNull(request.getHeaders("Forwarded"))).address();
    }

    private static List<String> nonNull(List<String> values) {
        return values == null ? List.of() : values;
    }

    /** {@code https} or {@code http}: what the client used, when a trusted proxy says so. */
    public String scheme(Context ctx) {
        Resolved r = resolve(ctx.req().getRemoteAddr(), headers(ctx, "X-Forwarded-For"), headers(ctx, "Forwarded"));
        String proto = r.proto();
        if (r.fromProxy() && proto == null && !headers(ctx, "X-Forwarded-Proto").isEmpty()) {
            List<String> values = split(String.join(",", headers(ctx, "X-Forwarded-Proto")), ',');
            proto = values.get(values.size() - 1).strip().toLowerCase(Locale.ROOT);
        }
        return "https".equals(proto) || "http".equals(proto) ? proto : ctx.req().getScheme();
    }

    /** What the headers say about a request from {@code peer}; {@code fromProxy}: the peer was trusted. */
    record Resolved(String address, String proto, boolean fromProxy) {}

    Resolved resolve(String peer, List<String> xForwardedFor, List<String> forwarded) {
        InetAddress peerAddress = Cidr.address(unbracket(peer));
        String nearest = peerAddress == null ? peer : peerAddress.getHostAddress();
        if (peerAddress == null || !trusted(peerAddress)) {
            if (peerAddress != null && !(xForwardedFor.isEmpty() && forwarded.isEmpty())) {
                warnOnce(peerAddress);
            }
            return new Resolved(nearest, null, false);
        }
        List<Hop> hops = xForwardedFor.isEmpty() ? forwardedHops(forwarded) : xffHops(xForwardedFor);
        String proto = null;
        for (int i = hops.size() - 1; i >= Math.max(0, hops.size() - MAX_HOPS); i--) {
            Hop hop = hops.get(i);
            proto = hop.proto() == null ? proto : hop.proto();
            InetAddress ip = Cidr.address(node(hop.node()));
            if (ip != null && trusted(ip)) {
                nearest = ip.getHostAddress();
                continue;
            }
            if (ip != null) {
                return new Resolved(ip.getHostAddress(), proto, true);
            }
            String node = node(hop.node());
            return new Resolved(node != null && OBFUSCATED.matcher(node).matches() ? node : nearest, proto, true);
        }
        return new Resolved(nearest, proto, true); // every hop is a trusted proxy (or there were none)
    }

    /**
     * A proxy on a private or local address that is not in {@code trusted-proxies}: every client then seems to be
     * that proxy, so per-address limits are shared by all of them. Said once, because it is a setting to fix.
     */
    private void warnOnce(InetAddress peer) {
        if ((peer.isLoopbackAddress() || peer.isSiteLocalAddress() || peer.isLinkLocalAddress()
                || (peer.getAddress().length == 16 && (peer.getAddress()[0] & 0xfe) == 0xfc))
                && warned.compareAndSet(false, true)) {
            log.warn("forwarded headers from {}, which is not in trusted-proxies: every client behind it counts as {} for "
                    + "per-address limits; set trusted-proxies to the proxy's address", peer.getHostAddress(), peer.getHostAddress());
        }
    }

    private boolean trusted(InetAddress ip) {
        for (Cidr c : trusted) {
            if (c.contains(ip)) {
                return true;
            }
        }
        return false;
    }

    private record Hop(String node, String proto) {}

    private static List<Hop> xffHops(List<String> lines) {
        return split(String.join(",", lines), ',').stream().map(s -> new Hop(s.strip(), null)).toList();
    }

    /** RFC 7239: elements split by commas, pairs by semicolons, values tokens or quoted strings. */
    private static List<Hop> forwardedHops(List<String> lines) {
        List<Hop> hops = new ArrayList<>();
        for (String element : split(String.join(",", lines), ',')) {
            String node = "";
            String proto = null;
            for (String pair : split(element, ';')) {
                int eq = pair.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String name = pair.substring(0, eq).strip().toLowerCase(Locale.ROOT);
                String value = unquote(pair.substring(eq + 1).strip());
                if (name.equals("for")) {
                    node = value;
                } else if (name.equals("proto")) {
                    proto = value.toLowerCase(Locale.ROOT);
                }
            }
            hops.add(new Hop(node, proto));
        }
        return hops;
    }

    /** The address part of a node: {@code [v6]:port}, {@code v4:port}, bare v6, v4 or an identifier; null if empty. */
    private static String node(String node) {
        if (node == null || node.isEmpty()) {
            return null;
        }
        if (node.startsWith("[")) {
            int close = node.indexOf(']');
            return close < 0 ? null : node.substring(1, close);
        }
        int colon = node.indexOf(':');
        return colon >= 0 && colon == node.lastIndexOf(':') ? node.substring(0, colon) : node;
    }

    private static String unbracket(String s) {
        return s != null && s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
    }

    private static String unquote(String v) {
        if (v.length() < 2 || v.charAt(0) != '"' || v.charAt(v.length() - 1) != '"') {
            return v;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 1; i < v.length() - 1; i++) {
            char c = v.charAt(i);
            if (c == '\\' && i + 1 < v.length() - 1) {
                c = v.charAt(++i);
            }
            out.append(c);
        }
        return out.toString();
    }

    /** Splits on {@code sep} outside double quotes. */
    private static List<String> split(String s, char sep) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' && (i == 0 || s.charAt(i - 1) != '\\')) {
                quoted = !quoted;
            }
            if (c == sep && !quoted) {
                parts.add(part.toString());
                part.setLength(0);
            } else {
                part.append(c);
            }
        }
        parts.add(part.toString());
        return parts;
    }

    private static List<String> headers(Context ctx, String name) {
        Enumeration<String> values = ctx.req().getHeaders(name);
        return values == null ? List.of() : Collections.list(values);
    }
}
