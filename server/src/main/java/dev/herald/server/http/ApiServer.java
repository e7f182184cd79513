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
        java.util.concurrent.atomic.AtomicReference<String> allow = new java.util.concurrent.atomic.AtomicReference<>("OPTIONS");
        this.app = Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            config.jetty.host = host;
            config.jetty.port = port;
            config.startup.showJavalinBanner = false;
            config.http.maxRequestSize = maxBodyBytes;
            config.router.ignoreTrailingSlashes = true;
            clientAddress.install(config);
            config.jetty.modifyServer(server -> {
                server.setErrorHandler(new ProblemErrorHandler());
                server.setDefaultHandler(new OptionsStar(allow::get));
            });
            middleware.forEach(m -> m.accept(config.routes));
            Router router = new Router(config.routes);
            features.forEach(f -> f.routes(router));
            routes.addAll(router.registered());
            AllowedMethods allowed = new AllowedMethods(router.registered());
            allow.set(String.join(", ", allowed.anywhere()));
            config.routes.exception(ApiException.class, (e, ctx) -> {
                if (e.code() == ErrorCode.ROUTE_NOT_FOUND) {
                    noRoute(ctx, allowed);
                } else {
                    render(ctx, e);
                }
            });
            config.routes.exception(HttpResponseException.class, (e, ctx) -> {
                if (e.getStatus() == 404 || e.getStatus() == 405) {
                    noRoute(ctx, allowed);
                } else {
                    render(ctx, fromJavalin(e));
                }
            });
            config.routes.exception(Exception.class, (e, ctx) -> {
                if (databaseBusy(e)) {
                    // overload, not a bug: the client may retry (nothing was committed; the transaction rolled back)
                    log.warn("database busy on {} {}: {}", ctx.method(), ctx.path(), e.getMessage());
                    render(ctx, ApiException.retryAfter(ErrorCode.UNAVAILABLE, "the database is busy; retry shortly", 1));
                    return;
                }
                log.error("unhandled error on {} {}", ctx.method(), ctx.path(), e);
                render(ctx, new ApiException(ErrorCode.INTERNAL, "an internal error occurred; it has been logged"));
            });
            config.routes.error(404, ctx -> {
                if (ctx.result() == null || ctx.result().isEmpty()) {
                    noRoute(ctx, allowed);
                }
            });
            config.routes.error(405, ctx -> noRoute(ctx, allowed));
        });
    }

    /**
     * A lock the database could not grant in time: SQLite's {@code SQLITE_BUSY} after {@code busy_timeout}, or
     * PostgreSQL's lock-not-available, serialization failure, deadlock or statement timeout.
     */
    static boolean databaseBusy(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql) {
                String state = sql.getSQLState() == null ? "" : sql.getSQLState();
                if (java.util.Set.of("55P03", "40001", "40P01", "57014").contains(state)
                        || (sql.getMessage() != null && sql.getMessage().contains("SQLITE_BUSY"))) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * No handler for this method and path: {@code OPTIONS} is answered with the path's {@code Allow} (200, no body),
     * another method on a known path is 405 with {@code Allow}, and an unknown path is 404.
     */
    private static void noRoute(io.javalin.http.Context ctx, AllowedMethods allowed) {
        java.util.Set<String> methods = allowed.on(ctx.path());
        if (methods.isEmpty()) {
            render(ctx, new ApiException(ErrorCode.ROUTE_NOT_FOUND, "no route " + ctx.method() + " " + ctx.path()));
            return;
        }
        ctx.header("Allow", String.join(", ", methods));
        if (ctx.method() == io.javalin.http.HandlerType.OPTIONS) {
            ctx.status(200).result("");
        } else {
            render(ctx, new ApiException(ErrorCode.METHOD_NOT_ALLOWED, ctx.method() + " is not allowed on " + ctx.path()
                    + "; allowed: " + String.join(", ", methods)));
        }
    }

    private static ApiException fromJavalin(HttpResponseException e) {
        return switch (e.getStatus()) {
            case 413 -> new ApiException(ErrorCode.BODY_TOO_LARGE, "the request body is too large");
            case 400 -> new ApiException(ErrorCode.INVALID_PARAMETER, e.getMessage());
            default -> e.getStatus() >= 500 ? new ApiException(ErrorCode.INTERNAL, "an internal error occurred")
                    : new ApiException(ErrorCode.INVALID_PARAMETER, e.getMessage());
        };
    }

    static void render(io.javalin.http.Context ctx, ApiException e) {
        Problem problem = Problem.of(e, ctx.path());
        ctx.status(problem.status()).contentType(Problem.MEDIA_TYPE).result(Json.stringify(problem));
        if (e.retryAfterSeconds() > 0) {
            ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
        }
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
