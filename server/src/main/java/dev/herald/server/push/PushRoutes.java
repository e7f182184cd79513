package dev.herald.server.push;

import dev.herald.pushservice.Connection;
import dev.herald.pushservice.PushResponse;
import dev.herald.pushservice.PushService;
import dev.herald.pushservice.UserAgentSession;
import dev.herald.server.http.ClientAddress;
import dev.herald.server.http.Json;
import dev.herald.server.http.Problem;
import dev.herald.server.http.Router;
import io.javalin.http.Context;
import io.javalin.websocket.WsContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;

/**
 * The embedded push service's endpoints: {@code GET /wpush/connect} (WebSocket, subprotocol
 * {@code push-notification}, what Firefox's {@code dom.push.serverURL} points at), {@code POST /wpush/v1|v2/{token}}
 * for application servers (Herald's own delivery engine among them) and {@code DELETE /wpush/m/{id}}.
 */
public final class PushRoutes implements Router.Feature {
    private static final String SESSION = "herald.push.session";
    /** Firefox pings every 30 minutes; a connection silent for longer than this is gone. */
    private static final Duration IDLE = Duration.ofMinutes(45);
    private static final int MAX_FRAME = 16 * 1024;

    private final PushService service;
    private final ClientAddress clientAddress;

    public PushRoutes(PushService service, ClientAddress clientAddress) {
        this.service = service;
        this.clientAddress = clientAddress;
    }

    @Override
    public void routes(Router router) {
        router.ws("/wpush/connect", ws -> {
            ws.onConnect(ctx -> {
                ctx.session.setIdleTimeout(IDLE);
                ctx.session.setMaxTextMessageSize(MAX_FRAME);
                ctx.session.setMaxBinaryMessageSize(MAX_FRAME);
                ctx.attribute(SESSION, service.connect(new WsConnection(ctx, clientAddress.of(ctx.session))));
            });
            ws.onMessage(ctx -> session(ctx).onText(ctx.message()));
            ws.onBinaryMessage(ctx -> session(ctx).onBinary());
            ws.onClose(PushRoutes::ended);
            ws.onError(PushRoutes::ended);
        });
        router.post("/wpush/{version}/{token}", ctx -> {
            String version = ctx.pathParam("version");
            Map<String, String> headers = new HashMap<>();
            ctx.headerMap().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
            respond(ctx, service.push(version, ctx.pathParam("token"), headers, ctx.bodyAsBytes()));
        });
        router.delete("/wpush/m/{id}", ctx -> respond(ctx, service.cancel(ctx.pathParam("id"))));
    }

    private static UserAgentSession session(WsContext ctx) {
        return ctx.attribute(SESSION);
    }

    /** The socket closed or failed: the session forgets it (an error before onConnect leaves no session). */
    private static void ended(WsContext ctx) {
        UserAgentSession s = session(ctx);
        if (s != null) {
            s.closed();
        }
    }

    private static void respond(Context ctx, PushResponse r) {
        r.headers().forEach(ctx::header);
        if (r.error() == null) {
            ctx.status(r.status());
            return;
        }
        Problem problem = new Problem("urn:herald:error:" + r.error().code(), r.error().title(), r.status(), r.detail(),
                r.error().code(), null, ctx.path());
        ctx.status(r.status()).contentType(Problem.MEDIA_TYPE).result(Json.stringify(problem));
    }

    /** Frames to one browser, one at a time (Jetty allows a single outstanding write per session). */
    private static final class WsConnection implements Connection {
        private final WsContext ctx;
        private final String address;

        WsConnection(WsContext ctx, String address) {
            this.ctx = ctx;
            this.address = address;
        }

        @Override
        public synchronized void send(String text) {
            if (!ctx.session.isOpen()) {
                return;
            }
            Callback.Completable done = new Callback.Completable();
            ctx.session.sendText(text, done);
            try {
                done.get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                ctx.session.close(1011, "send failed", Callback.NOOP);
            }
        }

        @Override
        public String clientAddress() {
            return address;
        }

        @Override
        public void close(int code, String reason) {
            if (ctx.session.isOpen()) {
                ctx.session.close(code, reason, Callback.NOOP);
            }
        }
    }
}
