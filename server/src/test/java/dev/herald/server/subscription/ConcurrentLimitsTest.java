package dev.herald.server.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.config.Option;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.TestServer;
import dev.herald.webpush.UserAgentKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The per-user subscription cap holds when many devices subscribe at the same moment (on PostgreSQL too). */
class ConcurrentLimitsTest {
    @ParameterizedTest
    @EnumSource(Backend.class)
    void sixtyConcurrentSubscriptionsForOneUserWithLimitTwentyCreateExactlyTwenty(Backend backend) throws Exception {
        try (TestServer server = new TestServer(backend, s -> s.with(Option.MAX_SUBSCRIPTIONS_PER_USER, "20")
                .with(Option.RATE_LIMIT_SUBSCRIBE, "off"));
                ExecutorService pool = Executors.newFixedThreadPool(60)) {
            String token = server.userToken("ada");
            UserAgentKeys keys = UserAgentKeys.generate();
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Api.Response>> answers = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                Map<String, Object> body = Map.of("subscription", Map.of("endpoint", "https://fcm.googleapis.com/fcm/send/race" + i,
                        "keys", Map.of("p256dh", keys.p256dh(), "auth", keys.authBase64Url())));
                answers.add(pool.submit(() -> {
                    go.await();
                    return server.api.post("/api/v1/subscriptions", token, body);
                }));
            }
            go.countDown();
            int created = 0;
            int refused = 0;
            for (Future<Api.Response> a : answers) {
                Api.Response r = a.get();
                if (r.status() == 201) {
                    created++;
                } else {
                    assertThat(r.json().get("code").asText()).as(r.toString()).isEqualTo("subscription-limit");
                    refused++;
                }
            }
            int stored = server.app.database().jdbi().withHandle(h -> h.createQuery(
                    "SELECT COUNT(*) FROM subscriptions WHERE user_id = 'ada'").mapTo(Integer.class).one());
            assertThat(created).isEqualTo(20);
            assertThat(refused).isEqualTo(40);
            assertThat(stored).isEqualTo(20);
        }
    }
}
