package dev.herald.bench;

import dev.herald.webpush.UserAgentKeys;
import dev.herald.webpush.VapidKeys;
import java.nio.charset.StandardCharsets;

/** The same subscription, payload and VAPID keys for every contender, so the runs compare like with like. */
final class BenchFixture {
    static final String ENDPOINT = "https://fcm.googleapis.com/fcm/send/dGVzdC1zdWJzY3JpcHRpb24tdG9rZW4";
    static final String SUBJECT = "mailto:bench@herald.example";
    /** A typical declarative notification, ~250 bytes. */
    static final byte[] PAYLOAD = ("{\"web_push\":8030,\"notification\":{\"title\":\"New post from Ada\","
            + "\"body\":\"Has anyone tried the offline composer yet? It queued my post on the train.\","
            + "\"navigate\":\"https://chat.example/posts/42\",\"tag\":\"post-42\"},"
            + "\"herald\":{\"notificationId\":\"01JD3K8Z5M6Q\",\"category\":\"posts\"}}").getBytes(StandardCharsets.UTF_8);

    final UserAgentKeys browser = UserAgentKeys.generate();
    final VapidKeys vapid = VapidKeys.generate();
}
