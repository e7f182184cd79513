package dev.herald.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.http.ErrorCode;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.TestServer;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** /openapi.json describes exactly the routes the server registers, and the ops endpoints answer. */
class OpenApiTest {
    @Test
    void openApiDocumentMatchesTheRegisteredRoutes() {
        try (TestServer server = new TestServer(Backend.SQLITE)) {
            Api.Response r = server.api.get("/openapi.json", null);
            JsonNode doc = r.json();

            Set<String> documented = new TreeSet<>();
            for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields(); paths.hasNext(); ) {
                Map.Entry<String, JsonNode> p = paths.next();
                p.getValue().fieldNames().forEachRemaining(m -> documented.add(m.toUpperCase() + " " + p.getKey()));
            }
            Set<String> served = new TreeSet<>();
            server.app.routes().forEach(route -> served.add(route.method() + " " + route.path()));

            assertThat(r.status()).isEqualTo(200);
            assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");
            assertThat(documented).isEqualTo(served);
        }
    }

    @Test
    void everyErrorCodeIsDocumented() throws Exception {
        String api = java.nio.file.Files.readString(java.nio.file.Path.of("../docs/api.md"));
        for (ErrorCode code : ErrorCode.values()) {
            assertThat(api).as("docs/api.md lists " + code.code()).contains("`" + code.code() + "`");
        }
        for (dev.herald.pushservice.PushError error : dev.herald.pushservice.PushError.values()) {
            assertThat(api).as("docs/api.md lists " + error.code()).contains("`" + error.code() + "`");
        }
    }

    @Test
    void healthReadinessAndMetricsAnswer() {
        try (TestServer server = new TestServer(Backend.SQLITE)) {
            assertThat(server.api.get("/healthz", null).json().get("status").asText()).isEqualTo("ok");
            Api.Response ready = server.api.get("/readyz", null);
            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.json().at("/checks/database").asText()).isEqualTo("ok");
            Api.Response metrics = server.api.get("/metrics", null);
            assertThat(metrics.status()).isEqualTo(200);
            assertThat(metrics.text()).contains("herald_delivery_queue_depth").contains("herald_delivery_in_flight");
        }
    }
}
