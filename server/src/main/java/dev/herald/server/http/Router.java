package dev.herald.server.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.List;

/**
 * Where features register their routes. It records each one, so the OpenAPI test can check
 * {@code /openapi.json} against the routes the server really serves.
 */
public final class Router {
    public record Route(String method, String path) {}

    private final RoutesConfig routes;
    private final List<Route> registered = new ArrayList<>();

    public Router(RoutesConfig routes) {
        this.routes = routes;
    }

    public Router get(String path, Handler handler) {
        return add(HandlerType.GET, path, handler);
    }

    public Router post(String path, Handler handler) {
        return add(HandlerType.POST, path, handler);
    }

    public Router put(String path, Handler handler) {
        return add(HandlerType.PUT, path, handler);
    }

    public Router delete(String path, Handler handler) {
        return add(HandlerType.DELETE, path, handler);
    }

    /** A WebSocket endpoint; recorded as {@code GET}, the method of its upgrade request. */
    public Router ws(String path, java.util.function.Consumer<io.javalin.websocket.WsConfig> ws) {
        routes.addWsHandler(io.javalin.websocket.WsHandlerType.WEBSOCKET, path, ws);
        registered.add(new Route("GET", path));
        return this;
    }

    private Router add(HandlerType type, String path, Handler handler) {
        routes.addHttpHandler(type, path, handler);
        registered.add(new Route(type.name(), path));
        return this;
    }

    public List<Route> registered() {
        return List.copyOf(registered);
    }

    /** A feature's routes. */
    public interface Feature {
        void routes(Router router);
    }
}
