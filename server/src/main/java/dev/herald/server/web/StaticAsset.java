package dev.herald.server.web;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * A file from the jar served with its MIME type, a strong ETag and {@code Cache-Control: no-cache} (browsers keep
 * it but revalidate, so a new Herald version is picked up at once; the demo's service worker does the offline
 * caching). Loaded once at start: a missing asset fails start-up, not a request.
 */
public record StaticAsset(byte[] bytes, String contentType, String etag) {
    private static final Map<String, String> TYPES = Map.of(
            "js", "text/javascript; charset=utf-8", "html", "text/html; charset=utf-8", "css", "text/css; charset=utf-8",
            "webmanifest", "application/manifest+json", "svg", "image/svg+xml", "png", "image/png", "json", "application/json");

    public static StaticAsset load(String resource) {
        return of(read(resource), resource);
    }

    public static StaticAsset of(byte[] bytes, String name) {
        String ext = name.substring(name.lastIndexOf('.') + 1);
        String type = TYPES.get(ext);
        if (type == null) {
            throw new IllegalArgumentException("no MIME type for " + name);
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return new StaticAsset(bytes, type, "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] read(String resource) {
        try (InputStream in = StaticAsset.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("asset " + resource + " is missing from the build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void serve(Context ctx) {
        ctx.header("ETag", etag).header("Cache-Control", "no-cache").header("X-Content-Type-Options", "nosniff");
        if (etag.equals(ctx.header("If-None-Match"))) {
            ctx.status(304);
            return;
        }
        ctx.contentType(contentType).result(bytes);
    }
}
