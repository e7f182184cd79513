package dev.herald.webpush;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code interop/interop.mjs} (npm web-push and http_ece) once for a batch of operations. Fails
 * loudly, never skips, when Node or the npm packages are missing: interop is part of the test suite.
 */
final class NodeInterop {
    private static final ObjectMapper JSON = new ObjectMapper();

    private NodeInterop() {}

    static Path dir() {
        Path dir = Path.of(System.getProperty("herald.interop.dir", "../interop")).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir.resolve("node_modules/web-push"))) {
            throw new IllegalStateException("npm packages missing in " + dir + ": run 'npm ci' there (the Maven build does)");
        }
        return dir;
    }

    static List<JsonNode> run(List<Map<String, Object>> operations) throws IOException, InterruptedException {
        Path dir = dir();
        Process node = new ProcessBuilder("node", "interop.mjs").directory(dir.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        node.getOutputStream().write(JSON.writeValueAsBytes(operations));
        node.getOutputStream().close();
        byte[] out = node.getInputStream().readAllBytes();
        if (!node.waitFor(60, TimeUnit.SECONDS) || node.exitValue() != 0) {
            throw new IllegalStateException("node interop.mjs failed: " + new String(out, StandardCharsets.UTF_8));
        }
        JsonNode results = JSON.readTree(out);
        List<JsonNode> list = new java.util.ArrayList<>();
        results.forEach(r -> {
            if (r.has("error")) {
                throw new AssertionError("node reported: " + r.get("error").asText());
            }
            list.add(r);
        });
        return list;
    }
}
