package dev.herald.pushservice;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The autopush protocol and the RFC 8030 side of {@link PushService} on an in-memory store, with no HTTP server:
 * hello, register, unregister, ack, nack, stored messages, TTL, throttling, limits and the hand-over to other nodes.
 */
class PushServiceProtocolTest {
    /** A clock the test moves. */
    static final class FakeClock extends Clock {
        private volatile Instant now = Instant.parse("2026-11-23T10:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    /** Records what the service hands to the other nodes. */
    static final class RecordingPeers implements Peers {
        final List<String> events = new ArrayList<>();
        final List<PushStore.Message> stored = new ArrayList<>();

        @Override
        public synchronized void connected(String uaid, long connection) {
            events.add("connected " + uaid);
        }

        @Override
        public synchronized void disconnected(String uaid, long connection) {
            events.add("disconnected " + uaid);
        }

        @Override
        public synchronized void stored(PushStore.Message message) {
            stored.add(message);
        }
    }

    /** A user agent: its connection and session. */
    record Agent(FakeConnection connection, UserAgentSession session) {
        void send(String json) {
            session.onText(json);
        }
    }

    private final FakeClock clock = new FakeClock();
    private final InMemoryPushStore store = new InMemoryPushStore();
    private final RecordingPeers peers = new RecordingPeers();

    private PushService service(PushService.Limits limits, Throttle throttle) {
        return new PushService(store, new EndpointTokens(new byte[32]), () -> URI.create("https://push.example"), clock, limits,
                throttle, peers);
    }

    private PushService service() {
        return service(PushService.Limits.DEFAULT, Throttle.NONE);
    }

    private static Agent connect(PushService service) {
        FakeConnection c = new FakeConnection("192.0.2.7");
        return new Agent(c, service.connect(c));
    }

    private static String hello(Agent agent, String uaid) {
        agent.send(uaid == null ? "{\"messageType\":\"hello\",\"use_webpush\":true}"
                : "{\"messageType\":\"hello\",\"use_webpush\":true,\"uaid\":\"" + uaid + "\"}");
        JsonNode reply = agent.connection().next(); // stored messages follow
        assertThat(reply.get("messageType").asText()).isEqualTo("hello");
        assertThat(reply.get("status").asInt()).isEqualTo(200);
        return reply.get("uaid").asText();
    }

    private static String register(Agent agent, String channelId) {
        agent.send("{\"messageType\":\"register\",\"channelID\":\"" + channelId + "\"}");
        JsonNode reply = agent.connection().one();
        assertThat(reply.get("status").asInt()).as(reply.toString()).isEqualTo(200);
        return reply.get("pushEndpoint").asText();
    }

    private static PushResponse push(PushService service, String endpoint, String ttl, byte[] body, Map<String, String> more) {
        String path = URI.create(endpoint).getPath(); // /wpush/v1/<token>
        String[] parts = path.split("/");
        Map<String, String> headers = new java.util.HashMap<>(more);
        if (ttl != null) {
            headers.put("ttl", ttl);
        }
        if (body.length > 0) {
            headers.putIfAbsent("content-encoding", "aes128gcm");
        }
        return service.push(parts[2], parts[3], headers, body);
    }

    private static PushResponse push(PushService service, String endpoint, String text) {
        return push(service, endpoint, "60", text.getBytes(), Map.of());
    }

    private static String text(JsonNode notification) {
        return new String(Base64.getUrlDecoder().decode(notification.get("data").asText()));
    }

    private static void ack(Agent agent, JsonNode notification) {
        agent.send("{\"messageType\":\"ack\",\"updates\":[{\"channelID\":\"" + notification.get("channelID").asText()
                + "\",\"version\":\"" + notification.get("version").asText() + "\",\"code\":100}]}");
    }

    @Test
    void helloAssignsAUaidAndAKnownUaidResumesIt() {
        PushService service = service();
        Agent first = connect(service);
        String uaid = hello(first, null);
        assertThat(uaid).matches("[0-9a-f]{32}");
        first.session().closed();
        Agent again = connect(service);
        assertThat(hello(again, uaid)).isEqualTo(uaid);
        Agent stranger = connect(service);
        assertThat(hello(stranger, "0123456789abcdef0123456789abcdef")).as("an unknown uaid gets a new one")
                .isNotEqualTo("0123456789abcdef0123456789abcdef");
        assertThat(service.connections()).isEqualTo(2);
    }

    @Test
    void anythingButHelloFirstAndFramesOutsideTheProtocolCloseTheConnection() {
        PushService service = service();
        Agent early = connect(service);
        early.send("{\"messageType\":\"register\",\"channelID\":\"" + UUID.randomUUID() + "\"}");
        assertThat(early.connection().closeCode()).isEqualTo(1002);
        assertThat(early.connection().closeReason()).isEqualTo("hello first");

        Agent notJson = connect(service);
        notJson.send("hello?");
        assertThat(notJson.connection().closeCode()).isEqualTo(1002);

        Agent binary = connect(service);
        binary.session().onBinary();
        assertThat(binary.connection().closeCode()).isEqualTo(1003);

        Agent unknown = connect(service);
        hello(unknown, null);
        unknown.send("{\"messageType\":\"subscribe-to-everything\"}");
        assertThat(unknown.connection().closeCode()).isEqualTo(1002);

        Agent twice = connect(service);
        hello(twice, null);
        twice.send("{\"messageType\":\"hello\",\"use_webpush\":true}");
        assertThat(twice.connection().closeCode()).isEqualTo(1002);

        Agent pinging = connect(service);
        pinging.send("{}");
        assertThat(pinging.connection().one().isEmpty()).as("a ping is answered, even before hello").isTrue();
    }

    @Test
    void registerIssuesAnEndpointRepeatingItIsIdempotentAndABadChannelIdIsRefused() {
        PushService service = service();
        Agent agent = connect(service);
        String uaid = hello(agent, null);
        String channel = UUID.randomUUID().toString();
        String endpoint = register(agent, channel);
        assertThat(endpoint).startsWith("https://push.example/wpush/v1/");
        String again = register(agent, channel);
        assertThat(store.channelCount(uaid)).isEqualTo(1);
        assertThat(push(service, again, "to the same channel").status()).isEqualTo(201);
        assertThat(push(service, endpoint, "either endpoint").status()).isEqualTo(201);
        assertThat(agent.connection().take()).extracting(PushServiceProtocolTest::text)
                .containsExactly("to the same channel", "either endpoint");
        agent.send("{\"messageType\":\"register\",\"channelID\":\"not-a-uuid\"}");
        JsonNode refused = agent.connection().one();
        assertThat(refused.get("status").asInt()).isEqualTo(400);
        assertThat(agent.connection().closeCode()).as("a refused register keeps the connection").isZero();
    }

    @Test
    void aMessageForAConnectedAgentArrivesAndItsAckDeletesIt() {
        PushService service = service();
        Agent agent = connect(service);
        hello(agent, null);
        String endpoint = register(agent, UUID.randomUUID().toString());
        PushResponse r = push(service, endpoint, "hi");
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.headers().get("TTL")).isEqualTo("60");
        assertThat(r.headers().get("Location")).startsWith("https://push.example/wpush/m/");
        JsonNode n = agent.connection().one();
        assertThat(n.get("messageType").asText()).isEqualTo("notification");
        assertThat(text(n)).isEqualTo("hi");
        assertThat(n.at("/headers/encoding").asText()).isEqualTo("aes128gcm");
        assertThat(store.size()).as("kept until acknowledged").isEqualTo(1);
        ack(agent, n);
        assertThat(store.size()).isZero();
        assertThat(peers.stored).as("nothing for other nodes: the agent is connected here").isEmpty();
    }

    @Test
    void messagesForAnOfflineAgentWaitAndArriveInOrderOnItsNextHelloUntilAcked() {
        PushService service = service();
        Agent agent = connect(service);
        String uaid = hello(agent, null);
        String endpoint = register(agent, UUID.randomUUID().toString());
        agent.session().closed();
        for (String t : List.of("one", "two", "three")) {
            assertThat(push(service, endpoint, t).status()).isEqualTo(201);
        }
        assertThat(peers.stored).extracting(m -> m.uaid()).as("other nodes are told, in case it is connected there")
                .containsExactly(uaid, uaid, uaid);

        Agent back = connect(service);
        hello(back, uaid);
        List<JsonNode> arrived = back.connection().take();
        assertThat(arrived).extracting(PushServiceProtocolTest::text).containsExactly("one", "two", "three");
        ack(back, arrived.get(0));
        back.send("{\"messageType\":\"nack\",\"version\":\"" + arrived.get(1).get("version").asText() + "\",\"code\":301}");
        back.session().closed();

        Agent third = connect(service);
        hello(third, uaid);
        assertThat(third.connection().take()).as("a nack or no answer leaves a message stored").extracting(PushServiceProtocolTest::text)
                .containsExactly("two", "three");
    }

    @Test
    void aMessagePastItsTtlIsNeitherDeliveredNorKept() {
        PushService service = service();
        Agent agent = connect(service);
        String uaid = hello(agent, null);
        String endpoint = register(agent, UUID.randomUUID().toString());
        agent.session().closed();
        assertThat(push(service, endpoint, "30", "short".getBytes(), Map.of()).status()).isEqualTo(201);
        assertThat(push(service, endpoint, "120", "long".getBytes(), Map.of()).status()).isEqualTo(201);
        clock.advance(Duration.ofSeconds(31));
        Agent back = connect(service);
        hello(back, uaid);
        assertThat(back.connection().take()).extracting(PushServiceProtocolTest::text).containsExactly("long");
        assertThat(service.purgeExpired()).isEqualTo(1);
        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    void ttlZeroIsDeliveredNowOrDroppedAndTtlIsRequired() {
        PushService service = service();
        Agent agent = connect(service);
        hello(agent, null);
        String endpoint = register(agent, UUID.randomUUID().toString());
        assertThat(push(service, endpoint, "0", "now".getBytes(), Map.of()).status()).isEqualTo(201);
        assertThat(text(agent.connection().one())).isEqualTo("now");
        agent.session().closed();
        assertThat(push(service, endpoint, "0", "never".getBytes(), Map.of()).status()).isEqualTo(201);
        assertThat(store.size()).isZero();
        PushResponse noTtl = push(service, endpoint, null, "x".getBytes(), Map.of());
        assertThat(noTtl.error()).isEqualTo(PushError.TTL_REQUIRED);
        assertThat(push(service, endpoint, "soon", "x".getBytes(), Map.of()).error()).isEqualTo(PushError.INVALID_HEADER);
    }

    @Test
    void unregisterMakesTheEndpointGoneAndDropsItsStoredMessages() {
        PushService service = service();
        Agent agent = connect(service);
        hello(agent, null);
        String channel = UUID.randomUUID().toString();
        String endpoint = register(agent, channel);
        push(service, endpoint, "pending");
        agent.connection().take();
        agent.send("{\"messageType\":\"unregister\",\"channelID\":\"" + channel + "\"}");
        assertThat(agent.connection().one().get("status").asInt()).isEqualTo(200);
        assertThat(store.size()).isZero();
        PushResponse gone = push(service, endpoint, "late");
        assertThat(gone.status()).isEqualTo(410);
        assertThat(gone.error()).isEqualTo(PushError.ENDPOINT_GONE);
        assertThat(service.push("v1", "bm90LWEtdG9rZW4", Map.of("ttl", "60"), new byte[0]).error())
                .isEqualTo(PushError.NO_SUCH_ENDPOINT);
    }

    @Test
    void aTopicReplacesTheUndeliveredMessageOfItsChannel() {
        PushService service = service();
        Agent agent = connect(service);
        String uaid = hello(agent, null);
        String endpoint = register(agent, UUID.randomUUID().toString());
        agent.session().closed();
        push(service, endpoint, "60", "score 1-0".getBytes(), Map.of("topic", "score"));
        push(service, endpoint, "60", "score 2-0".getBytes(), Map.of("topic", "score"));
        push(service, endpoint, "60", "other".getBytes(), Map.of());
        Agent back = connect(service);
        hello(back, uaid);
        assertThat(back.connection().take()).extracting(PushServiceProtocolTest::text).containsExactly("score 2-0", "other");
    }

    @Test
    void throttledMessagesRegistrationsAndNewAgentsAreRefusedWithAWait() {
        Duration wait = Duration.ofSeconds(42);
        Throttle always = new Throttle() {
            @Override
            public Duration newUserAgent(String clientAddress) {
                return clientAddress.equals("192.0.2.7") ? Duration.ZERO : wait;
            }

            @Override
            public Duration register(String uaid, String clientAddress) {
                return wait;
            }

            @Override
            public Duration message(String uaid, String channelId) {
                return wait;
            }
        };
        PushService service = service(PushService.Limits.DEFAULT, always);
        Agent agent = connect(service);
        String uaid = hello(agent, null);
        agent.send("{\"messageType\":\"register\",\"channelID\":\"" + UUID.randomUUID() + "\"}");
        assertThat(agent.connection().one().get("status").asInt()).isEqualTo(429);

        FakeConnection other = new FakeConnection("198.51.100.1");
        service.connect(other).onText("{\"messageType\":\"hello\",\"use_webpush\":true}");
        assertThat(other.closeCode()).isEqualTo(4429);

        PushService unthrottled = service();
        Agent again = connect(unthrottled);
        hello(again, uaid);
        String endpoint = register(again, UUID.randomUUID().toString());
        PushResponse refused = push(service, endpoint, "too much");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.error()).isEqualTo(PushError.RATE_LIMITED);
        assertThat(refused.headers().get("Retry-After")).isEqualTo("42");
    }

    @Test
    void anAgentWithTooManyUndeliveredMessagesRefusesMore() {
        PushService.Limits limits = new PushService.Limits(256, 2, 86_400, Duration.ofDays(60), 512 * 1024, 1024 * 1024);
        PushService service = service(limits, Throttle.NONE);
        Agent agent = connect(service);
        hello(agent, null);
        String endpoint = register(agent, UUID.randomUUID().toString());
        assertThat(push(service, endpoint, "1").status()).isEqualTo(201);
        assertThat(push(service, endpoint, "2").status()).isEqualTo(201);
        PushResponse full = push(service, endpoint, "3");
        assertThat(full.status()).isEqualTo(429);
        assertThat(full.error()).isEqualTo(PushError.TOO_MANY_MESSAGES);
        List<JsonNode> arrived = agent.connection().take();
        ack(agent, arrived.get(0));
        assertThat(push(service, endpoint, "3").status()).as("an ack makes room").isEqualTo(201);
    }

    @Test
    void otherNodesAreToldOfConnectionsAndAMessageTheyRouteHereIsSentOncePerConnection() {
        PushService service = service();
        Agent agent = connect(service);
        String uaid = hello(agent, null);
        String endpoint = register(agent, UUID.randomUUID().toString());
        push(service, endpoint, "first");
        PushStore.Message m = store.pending(uaid, clock.millis()).get(0);
        agent.connection().take();

        assertThat(service.routed(m)).as("already sent on this connection").isFalse();
        assertThat(agent.connection().take()).isEmpty();

        Agent newer = connect(service);
        hello(newer, uaid);
        assertThat(agent.connection().closeCode()).as("the older connection is replaced").isEqualTo(4000);
        assertThat(newer.connection().take()).extracting(PushServiceProtocolTest::text).containsExactly("first");
        agent.session().closed(); // the replaced socket's end must not mark the agent gone
        assertThat(service.routed(new PushStore.Message("other", uaid, m.channelId(), null, "normal", Map.of(), null,
                clock.millis(), clock.millis() + 60_000))).isTrue();
        assertThat(newer.connection().one().get("version").asText()).isEqualTo("other");
        newer.session().closed();
        assertThat(service.routed(m)).as("not connected here any more").isFalse();
        assertThat(peers.events).containsExactly("connected " + uaid, "connected " + uaid, "disconnected " + uaid);
    }

    @Test
    void closingTheServiceTellsEveryBrowserToReconnect() {
        PushService service = service();
        Agent agent = connect(service);
        hello(agent, null);
        service.close();
        assertThat(agent.connection().closeCode()).isEqualTo(1001);
    }
}
