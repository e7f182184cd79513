package dev.herald.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.config.Option;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.TestServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The SDK at /sdk/ always; the demo at / only with --demo, and its name-only sign-in. */
class WebAssetsTest {
    @Test
    void sdkFilesAreServedAsJavaScriptWithRevalidationAndTheWorkerCarriesTheOutbox() {
        try (TestServer server = new TestServer(Backend.SQLITE)) {
            Api.Response page = server.api.get("/sdk/herald.js", null);
            Api.Response worker = server.api.get("/sdk/herald-sw.js", null);
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.contentType()).startsWith("text/javascript;").contains("charset=utf-8");
            assertThat(page.headers().firstValue("Cache-Control")).contains("no-cache");
            assertThat(page.headers().firstValue("Access-Control-Allow-Origin")).contains("*");
            assertThat(page.text()).contains("export class Herald");
            assertThat(worker.text()).startsWith("/*").contains("global.HeraldOutbox = Object.freeze")
                    .contains("sw.addEventListener('push'");
            assertThat(worker.text().indexOf("HeraldOutbox = Object.freeze")).isLessThan(worker.text().indexOf("sw.HeraldSW ="));
            String etag = page.headers().firstValue("ETag").orElseThrow();
            assertThat(server.api.get("/sdk/herald.js", null, Map.of("If-None-Match", etag)).status()).isEqualTo(304);
            assertThat(server.api.get("/sdk/nope.js", null).json().get("code").asText()).isEqualTo("not-found");
            assertThat(server.api.get("/", null).status()).as("no demo without --demo").isEqualTo(404);
        }
    }

    @Test
    void theDemoIsServedWithDemoAndMintsTokensForADisplayName() {
        try (TestServer server = new TestServer(Backend.SQLITE, s -> s.with(Option.DEMO, "true"))) {
            Api.Response index = server.api.get("/", null);
            assertThat(index.contentType()).startsWith("text/html;").contains("charset=utf-8");
            assertThat(index.text()).contains("<title>Herald Chat</title>").contains("/manifest.webmanifest");
            assertThat(server.api.get("/manifest.webmanifest", null).contentType()).isEqualTo("application/manifest+json");
            assertThat(server.api.get("/icons/icon-512.png", null).contentType()).isEqualTo("image/png");
            assertThat(server.api.get("/sw.js", null).text()).contains("importScripts('/sdk/herald-sw.js')");

            Api.Response signIn = server.api.post("/demo/api/sign-in", null, Map.of("name", "Ada Lovelace"));
            assertThat(signIn.json().get("userId").asText()).isEqualTo("demo:ada-lovelace");
            String token = signIn.json().get("token").asText();
            assertThat(server.api.get("/api/v1/me/preferences", token).status()).isEqualTo(200);
            assertThat(server.api.get("/api/v1/config", null).json().at("/categories/0/id").asText()).isEqualTo("posts");
            assertThat(server.api.post("/demo/api/sign-in", null, Map.of("name", "!!!")).json().get("code").asText())
                    .isEqualTo("invalid-field");
            assertThat(server.api.post("/demo/api/sign-in", null, Map.of("name", "x".repeat(41))).status()).isEqualTo(422);
            assertThat(server.api.post("/demo/api/sign-in", null, "{}").json().get("code").asText()).isEqualTo("missing-field");
        }
    }
}
