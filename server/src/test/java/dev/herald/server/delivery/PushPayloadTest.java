package dev.herald.server.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The receipt goes into the message's herald object wherever that object is, and nowhere else. */
class PushPayloadTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode stamped(String message, String receipt) throws Exception {
        byte[] out = PushPayload.of(message.getBytes(StandardCharsets.UTF_8)).withReceipt(receipt);
        return JSON.readTree(out);
    }

    @Test
    void receiptJoinsTheHeraldObjectWhenItIsLast() throws Exception {
        JsonNode m = stamped("{\"web_push\":8030,\"notification\":{\"title\":\"hi\"},\"herald\":{\"notificationId\":\"n1\"}}", "s1.mac");
        assertThat(m.path("herald").path("receipt").asText()).isEqualTo("s1.mac");
        assertThat(m.path("herald").path("notificationId").asText()).isEqualTo("n1");
    }

    @Test
    void receiptJoinsTheHeraldObjectWhereverItIsWritten() throws Exception {
        String message = "{\"herald\":{\"notificationId\":\"n1\",\"data\":{\"x\":\"}}\",\"a\":[1,{\"b\":{}}]}},"
                + "\"notification\":{\"title\":\"} \\\"herald\\\"\"},\"web_push\":8030}";
        JsonNode m = stamped(message, "s1.mac");
        assertThat(m.path("herald").path("receipt").asText()).isEqualTo("s1.mac");
        assertThat(m.path("herald").path("data").path("x").asText()).isEqualTo("}}");
        assertThat(m.path("notification").has("receipt")).isFalse();
        assertThat(m.path("notification").path("title").asText()).isEqualTo("} \"herald\"");
        assertThat(m.path("web_push").asInt()).isEqualTo(8030);
    }

    @Test
    void anEmptyHeraldObjectGetsTheReceiptAlone() throws Exception {
        JsonNode m = stamped("{\"herald\":{},\"web_push\":8030}", "s1.mac");
        assertThat(m.path("herald").size()).isEqualTo(1);
        assertThat(m.path("herald").path("receipt").asText()).isEqualTo("s1.mac");
    }

    @Test
    void aNestedHeraldMemberIsNotTheTopLevelOne() throws Exception {
        JsonNode m = stamped("{\"notification\":{\"herald\":{\"x\":1}},\"herald\":{\"notificationId\":\"n1\"}}", "r");
        assertThat(m.path("notification").path("herald").has("receipt")).isFalse();
        assertThat(m.path("herald").path("receipt").asText()).isEqualTo("r");
    }

    @Test
    void aMessageWithoutHeraldIsSentAsItIs() {
        byte[] message = "{\"web_push\":8030,\"notification\":{\"title\":\"hi\"}}".getBytes(StandardCharsets.UTF_8);
        assertThat(PushPayload.of(message).withReceipt("r")).isSameAs(message);
    }

    @Test
    void receiptIsEscapedAsAJsonString() throws Exception {
        JsonNode m = stamped("{\"herald\":{\"n\":1}}", "a\"b\\c");
        assertThat(m.path("herald").path("receipt").asText()).isEqualTo("a\"b\\c");
    }
}
