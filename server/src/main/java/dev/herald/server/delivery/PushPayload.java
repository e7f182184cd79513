package dev.herald.server.delivery;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A notification's push message as stored (UTF-8 JSON bytes), and where each delivery's receipt goes: as the last
 * member of its top-level {@code herald} object, whose closing brace is at {@code heraldEnd} ({@code -1}: the
 * message has no {@code herald} object and is sent as it is). The position is found by parsing the message once,
 * so it does not depend on the order in which the message's members were written.
 *
 * <p>Immutable; {@code json} is never modified (a stamped copy is made per delivery).
 */
record PushPayload(byte[] json, int heraldEnd, boolean heraldEmpty) {
    private static final JsonFactory JSON = new JsonFactory();
    private static final byte[] MEMBER = "\"receipt\":\"".getBytes(StandardCharsets.US_ASCII);

    static PushPayload of(byte[] json) {
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return new PushPayload(json, -1, false);
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("herald") && value == JsonToken.START_OBJECT) {
                    boolean empty = true;
                    for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                        empty = false;
                        p.nextToken();
                        p.skipChildren();
                    }
                    return new PushPayload(json, (int) p.currentTokenLocation().getByteOffset(), empty);
                }
                p.skipChildren();
            }
            return new PushPayload(json, -1, false);
        } catch (IOException e) {
            throw new IllegalStateException("a stored push message is not JSON", e);
        }
    }

    /** The message with {@code "receipt": receipt} in its {@code herald} object (unchanged when it has none). */
    byte[] withReceipt(String receipt) {
        if (heraldEnd < 0) {
            return json;
        }
        byte[] quoted = JsonStringEncoder.getInstance().quoteAsUTF8(receipt);
        int extra = (heraldEmpty ? 0 : 1) + MEMBER.length + quoted.length + 1;
        byte[] out = new byte[json.length + extra];
        System.arraycopy(json, 0, out, 0, heraldEnd);
        int at = heraldEnd;
        if (!heraldEmpty) {
            out[at++] = ',';
        }
        System.arraycopy(MEMBER, 0, out, at, MEMBER.length);
        at += MEMBER.length;
        System.arraycopy(quoted, 0, out, at, quoted.length);
        at += quoted.length;
        out[at++] = '"';
        System.arraycopy(json, heraldEnd, out, at, json.length - heraldEnd);
        return out;
    }
}
