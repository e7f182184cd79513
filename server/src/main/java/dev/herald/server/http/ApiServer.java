package dev.herald.server.http;

import io.javalin.Javalin;
import io.javalin.http.HttpResponseException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server: Javalin on virtual threads, every feature's routes, and one error mapper that renders every
 * failure as problem+json from {@link ErrorCode}. A client can never cause a 500 with a stack trace: anything
 * unexpected is logged here and answered with {@code internal-error} and no detail.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

    private final Javalin app;
    private final List<Router.Route> routes = new ArrayList<>();

    public ApiServer(String host, int port, int maxBodyBytes, ClientAddress clientAddress, List<Router.Feature> features,
            List<java.util.function.Consumer<io.javalin.config.RoutesConfig>> middleware) {
        this.app = Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            config.jetty.host = host;
            config.jetty.port = port;
            config.startup.showJavalinBanner = false;
            config.http.maxRequestSize = maxBodyBytes;
            config.router.ignoreTrailingSlashes = true;
            clientAddress.install(config);
            config.jetty.modifyServer(server -> server.setErrorHandler(new ProblemErrorHandler()));
            middleware.forEach(m -> m.accept(config.routes));
            Router router = new Router(config.routes);
            features.forEach(f -> f.routes(router));
            routes.addAll(router.registered());
            config.routes.exception(ApiException.class, (e, ctx) -> render(ctx, e));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> render(ctx, fromJavalin(e, ctx)));
            config.routes.exception(Exception.class, (e, ctx) -> {
                log.error("unhandled error on {} {}", ctx.method(), ctx.path(), e);
                render(ctx, new ApiException(ErrorCode.INTERNAL, "an internal error occurred; it has been logged"));
            });
            config.routes.error(404, ctx -> {
                if (ctx.result() == null || ctx.result().isEmpty()) {
                    render(ctx, new ApiException(ErrorCode.ROUTE_NOT_FOUND, "no route " + ctx.method() + " " + ctx.path()));
                }
            });
            config.routes.error(405, ctx -> render(ctx,
                    new ApiException(ErrorCode.METHOD_NOT_ALLOWED, ctx.method() + " is not allowed on " + ctx.path())));
        });
    }

    private static ApiException fromJavalin(HttpResponseException e, io.javalin.http.Context ctx) {
        return switch (e.getStatus()) {
            case 413 -> new ApiException(ErrorCode.BODY_TOO_LARGE, "the request body is too large");
            case 404 -> new ApiException(ErrorCode.ROUTE_NOT_FOUND, "no route " + ctx.method() + " " + ctx.path());
            case 405 -> new ApiException(ErrorCode.METHOD_NOT_ALLOWED, ctx.method() + " is not allowed on " + ctx.path());
            case 400 -> new ApiException(ErrorCode.INVALID_PARAMETER, e.getMessage());
            default -> e.getStatus() >= 500 ? new ApiException(ErrorCode.INTERNAL, "an internal error occurred")
                    : new ApiException(ErrorCode.INVALID_PARAMETER, e.getMessage());
        };
    }

    static void render(io.javalin.http.Context ctx, ApiException e) {
        Problem problem = Problem.of(e, ctx.path());
        ctx.status(problem.status()).contentType(Problem.MEDIA_TYPE).result(Json.stringify(problem));
        if (problem.status() == 401) {
            ctx.header("WWW-Authenticate", "Bearer");
        }
    }

    public ApiServer start() {
        app.start();
        return this;
    }

    public int port() {
        return app.port();
    }

    public List<Router.Route> routes() {
        return List.copyOf(routes);
    }

    @Override
    public void close() {
        app.stop();
    }
}
