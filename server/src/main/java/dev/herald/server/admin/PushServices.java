package dev.herald.server.admin;

import java.net.URI;
import java.util.Locale;

/** Names operators recognise for a push endpoint's origin and for a browser's user agent. */
final class PushServices {
    private PushServices() {}

    /** The push service behind an endpoint origin ({@code https://fcm.googleapis.com} → FCM). */
    static String name(String origin, URI herald) {
        String host = URI.create(origin).getHost();
        if (host == null) {
            return origin;
        }
        host = host.toLowerCase(Locale.ROOT);
        if (herald != null && origin.equalsIgnoreCase(herald.getScheme() + "://" + herald.getRawAuthority())) {
            return "Herald (embedded)";
        }
        if (host.equals("fcm.googleapis.com") || host.equals("android.googleapis.com")) {
            return "FCM (Chrome)";
        }
        if (host.endsWith("push.services.mozilla.com")) {
            return "Mozilla autopush";
        }
        if (host.endsWith(".push.apple.com")) {
            return "Apple";
        }
        if (host.endsWith(".notify.windows.com")) {
            return "WNS (Edge)";
        }
        return host;
    }

    /** The browser family of a User-Agent header, most specific token first (Edge and Opera also say Chrome). */
    static String browser(String userAgent) {
        if (userAgent == null || userAgent.isBlank()) {
            return "Unknown";
        }
        if (userAgent.contains("Edg/")) {
            return "Edge";
        }
        if (userAgent.contains("OPR/")) {
            return "Opera";
        }
        if (userAgent.contains("SamsungBrowser/")) {
            return "Samsung Internet";
        }
        if (userAgent.contains("Firefox/")) {
            return "Firefox";
        }
        if (userAgent.contains("Chrome/") || userAgent.contains("Chromium/")) {
            return "Chrome";
        }
        if (userAgent.contains("Safari/")) {
            return "Safari";
        }
        return "Other";
    }
}
