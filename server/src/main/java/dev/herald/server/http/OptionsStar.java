package dev.herald.server.http;

import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code OPTIONS *} (RFC 9110 §9.3.7: a question about the server, not a resource) never reaches a servlet context;
 * as Jetty's default handler this answers it with 200 and the methods the server serves in {@code Allow}. Any other
 * request that reaches it is not handled, and Jetty answers 404 as before.
 */
final class OptionsStar extends Handler.Abstract {
    private final Supplier<String> allow;

    OptionsStar(Supplier<String> allow) {
        this.allow = allow;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!"OPTIONS".equals(request.getMethod()) || !"*".equals(request.getHttpURI().getPath())) {
            return false;
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.ALLOW, allow.get());
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
        response.write(true, null, callback);
        return true;
    }
}
