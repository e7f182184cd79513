package dev.herald.server.ops;

import dev.herald.server.http.Router;
import java.io.IOException;
import java.io.InputStream;

/** {@code GET /openapi.json}: the OpenAPI 3.1 description, kept true by OpenApiTest. */
public final class OpenApiRoutes implements Router.Feature {
    private final byte[] document;

    public OpenApiRoutes() {
        try (InputStream in = OpenApiRoutes.class.getResourceAsStream("/openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json missing from the jar");
            }
            document = in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void routes(Router router) {
        router.get("/openapi.json", ctx -> ctx.contentType("application/json").result(document));
    }
}
