package dev.herald.server.admin;

import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import dev.herald.server.http.Router;
import dev.herald.server.web.StaticAsset;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /admin/…}: the console's pages, plain ES modules from the jar (no build step), and uPlot from its
 * WebJar. The pages are public; everything they show comes from the admin API, which needs a session. A strict
 * Content-Security-Policy keeps a stored string from ever running as script in the console.
 */
final class AdminPages implements Router.Feature {
    private static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";
    private static final String[] FILES = {"index.html", "admin.css", "app.js", "api.js", "ui.js", "overview.js", "compose.js",
            "notifications.js", "devices.js", "sync.js", "keys.js", "sw.js"};
    static final String CSP = "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; "
            + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private final Map<String, StaticAsset> files = new LinkedHashMap<>();

    AdminPages() {
        for (String f : FILES) {
            files.put(f, StaticAsset.load("admin/" + f));
        }
        files.put("uPlot.esm.js", StaticAsset.load(UPLOT + "uPlot.esm.js"));
        files.put("uPlot.min.css", StaticAsset.load(UPLOT + "uPlot.min.css"));
    }

    @Override
    public void routes(Router router) {
        router.get("/admin", ctx -> serve(ctx, "index.html")); // and /admin/: trailing slashes are ignored
        router.get("/admin/{file}", ctx -> serve(ctx, ctx.pathParam("file")));
    }

    private void serve(io.javalin.http.Context ctx, String name) {
        StaticAsset asset = files.get(name);
        if (asset == null) {
            throw new ApiException(ErrorCode.NOT_FOUND, "no console file " + name);
        }
        ctx.header("Content-Security-Policy", CSP).header("X-Frame-Options", "DENY").header("Referrer-Policy", "no-referrer");
        asset.serve(ctx);
    }
}
