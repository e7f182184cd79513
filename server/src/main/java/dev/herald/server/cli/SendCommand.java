package dev.herald.server.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.http.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code herald send}: sends a notification through a running server's API (POST /api/v1/notifications). */
@Command(name = "send", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Send a notification through a running Herald server.")
final class SendCommand implements Callable<Integer> {
    @Option(names = "--server", defaultValue = "${env:HERALD_SERVER:-http://localhost:8080}",
            description = "The server's URL (env HERALD_SERVER; default: ${DEFAULT-VALUE}).")
    String server;

    @Option(names = "--api-key", defaultValue = "${env:HERALD_API_KEY}", description = "An API key with the send scope (env HERALD_API_KEY).")
    String apiKey;

    static final class Target {
        @Option(names = "--user", description = "A user id (repeatable).")
        List<String> users;

        @Option(names = "--subscription", description = "A subscription id (repeatable).")
        List<String> subscriptions;

        @Option(names = "--all", description = "Every subscription.")
        boolean all;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(names = "--title", required = true)
    String title;

    @Option(names = "--body")
    String body;

    @Option(names = "--url", description = "Where a click leads (absolute, or a path on the public URL).")
    String url;

    @Option(names = "--category")
    String category;

    @Option(names = "--ttl", description = "Seconds the message may wait for an offline device.")
    Long ttl;

    @Option(names = "--urgency", description = "very-low, low, normal or high.")
    String urgency;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (apiKey == null || apiKey.isBlank()) {
            throw new IllegalArgumentException("an API key is needed: --api-key or HERALD_API_KEY");
        }
        ObjectNode request = Json.MAPPER.createObjectNode();
        ObjectNode audience = request.putObject("audience");
        if (target.all) {
            audience.put("all", true);
        } else if (target.users != null) {
            target.users.forEach(audience.putArray("userIds")::add);
        } else {
            target.subscriptions.forEach(audience.putArray("subscriptionIds")::add);
        }
        ObjectNode payload = request.putObject("payload").put("title", title);
        if (body != null) {
            payload.put("body", body);
        }
        if (url != null) {
            payload.put("url", url);
        }
        if (category != null) {
            request.put("category", category);
        }
        if (ttl != null) {
            request.put("ttl", ttl);
        }
        if (urgency != null) {
            request.put("urgency", urgency);
        }
        URI uri;
        try {
            uri = URI.create(server.replaceAll("/+$", "") + "/api/v1/notifications");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--server is not a URL: " + server);
        }
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri)
                    .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Json.stringify(request))).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 202) {
                spec.commandLine().getOut().println(response.body());
                return ExitCodes.OK;
            }
            spec.commandLine().getErr().println("refused: " + response.statusCode() + " " + response.body());
            return ExitCodes.REFUSED;
        } catch (java.io.IOException e) {
            spec.commandLine().getErr().println("unreachable: " + uri + " (" + e.getMessage() + ")");
            return ExitCodes.UNREACHABLE;
        }
    }
}
