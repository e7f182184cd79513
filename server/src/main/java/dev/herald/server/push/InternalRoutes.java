package dev.herald.server.push;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.herald.pushservice.PushStore;
import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import dev.herald.server.http.Json;
import dev.herald.server.http.Router;
import dev.herald.webpush.Base64Url;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.List;

/**
 * {@code POST /internal/v1/push/messages}: another node of this push service hands over messages it stored for
 * browsers connected here (a JSON array of stored messages). Only for the nodes: the body is signed with the shared
 * internal secret ({@code Herald-Signature: base64url(HMAC-SHA256(key, body))}, so the secret never travels), the
 * deploy config keeps {@code /internal/} off the public side, and it is registered only when nodes route to each
 * other (PostgreSQL). Answers 204, or 401 without a valid signature.
 */
final class InternalRoutes implements Router.Feature {
    static final String MESSAGES = "/internal/v1/push/messages";
    static final String SIGNATURE = "Herald-Signature";
    /** A batch of notifies; senders keep below it (see {@link NodeRouting.Config#maxBatchBytes}). */
    static final int MAX_BODY = 1024 * 1024;
    private static final TypeReference<List<PushStore.Message>> MESSAGES_JSON = new TypeReference<>() {};

    private final NodeRouting routing;
    private final byte[] key;

    InternalRoutes(NodeRouting routing, byte[] secret) {
        this.routing = routing;
        this.key = key(secret);
    }

    @Override
    public void routes(Router router) {
        router.post(MESSAGES, ctx -> {
            byte[] body;
            try (InputStream in = ctx.req().getInputStream()) {
                body = in.readNBytes(MAX_BODY + 1);
            } catch (IOException e) {
                throw new ApiException(ErrorCode.BAD_REQUEST, "the request body could not be read");
            }
            if (body.length > MAX_BODY) {
                throw new ApiException(ErrorCode.BODY_TOO_LARGE, "the body is larger than " + MAX_BODY + " bytes");
            }
            String given = ctx.header(SIGNATURE);
            if (given == null || !MessageDigest.isEqual(given.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    sign(key, body).getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
                throw new ApiException(ErrorCode.UNAUTHENTICATED, "a node's internal route needs " + SIGNATURE
                        + " made with the shared internal-secret");
            }
            List<PushStore.Message> messages;
            try {
                messages = Json.MAPPER.readValue(body, MESSAGES_JSON);
            } catch (IOException e) {
                throw new ApiException(ErrorCode.MALFORMED_JSON, "the body is not a JSON array of push messages");
            }
            if (messages.stream().anyMatch(m -> m == null || m.id() == null || m.uaid() == null || m.channelId() == null
                    || m.headers() == null)) {
                throw new ApiException(ErrorCode.BAD_REQUEST, "each message needs id, uaid, channelId and headers");
            }
            routing.received(messages);
            ctx.status(204);
        });
    }

    /** The HMAC key, derived from the internal secret for this one use. */
    static byte[] key(byte[] secret) {
        return dev.herald.server.config.ServerKeys.derive(secret, "herald internal notify v1");
    }

    static String sign(byte[] key, byte[] body) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
            return Base64Url.encode(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is always available", e);
        }
    }
}
