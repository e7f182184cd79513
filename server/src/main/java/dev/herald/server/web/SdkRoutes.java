package dev.herald.server.web;

import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import dev.herald.server.http.Router;
import java.util.Map;

/**
 * {@code GET /sdk/{file}}: the JavaScript SDK. {@code herald-sw.js} is served with {@code herald-outbox.js} in
 * front of it, so a service worker needs a single {@code importScripts}; the page's {@code herald.js} imports the
 * outbox as a module. CORS-open, so an app on another origin can import them.
 */
public final class SdkRoutes implements Router.Feature {
    private final Map<String, StaticAsset> files;

    public SdkRoutes() {
        byte[] outbox = StaticAsset.read("sdk/herald-outbox.js");
        byte[] sw = StaticAsset.read("sdk/herald-sw.js");
        byte[] joined = new byte[outbox.length + 1 + sw.length];
        System.arraycopy(outbox, 0, joined, 0, outbox.length);
        joined[outbox.length] = '\n';
        System.arraycopy(sw, 0, joined, outbox.length + 1, sw.length);
        this.files = Map.of("herald.js", StaticAsset.load("sdk/herald.js"), "herald-outbox.js", StaticAsset.of(outbox, "x.js"),
                "herald-sw.js", StaticAsset.of(joined, "x.js"));
    }

    @Override
    public void routes(Router router) {
        router.get("/sdk/{file}", ctx -> {
            StaticAsset asset = files.get(ctx.pathParam("file"));
            if (asset == null) {
                throw new ApiException(ErrorCode.NOT_FOUND, "no SDK file " + ctx.pathParam("file") + " (there are "
                        + String.join(", ", files.keySet().stream().sorted().toList()) + ")");
            }
            ctx.header("Access-Control-Allow-Origin", "*");
            asset.serve(ctx);
        });
    }
}
