package dev.herald.server.cli;

import dev.herald.webpush.ContentEncoding;
import dev.herald.webpush.DeliveryResult;
import dev.herald.webpush.PushMessage;
import dev.herald.webpush.PushSubscription;
import dev.herald.webpush.Urgency;
import dev.herald.webpush.VapidKeys;
import dev.herald.webpush.WebPushSender;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code herald push …}: talk to a push service directly, without a Herald server. */
@Command(name = "push", description = "Send Web Push messages directly to a push service.",
        mixinStandardHelpOptions = true, subcommands = PushCommand.Send.class)
final class PushCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "send", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Encrypt a payload for one subscription, sign VAPID, send it, and print what the push service answered.")
    static final class Send implements Callable<Integer> {
        @Option(names = "--endpoint", required = true, description = "The subscription's push endpoint URL.")
        String endpoint;

        @Option(names = "--p256dh", required = true, description = "The subscription's keys.p256dh (base64url).")
        String p256dh;

        @Option(names = "--auth", required = true, description = "The subscription's keys.auth (base64url).")
        String auth;

        @Option(names = "--payload", description = "Text to send (UTF-8); omit for a push without data.")
        String payload;

        @Option(names = "--ttl", defaultValue = "2419200", description = "Seconds the push service may keep it (default: ${DEFAULT-VALUE}).")
        long ttl;

        @Option(names = "--urgency", defaultValue = "normal", description = "very-low, low, normal or high (default: ${DEFAULT-VALUE}).")
        String urgency;

        @Option(names = "--topic", description = "Replaces an undelivered message with the same topic (<= 32 base64url chars).")
        String topic;

        @Option(names = "--encoding", defaultValue = "aes128gcm", description = "aes128gcm or aesgcm (default: ${DEFAULT-VALUE}).")
        String encoding;

        @Option(names = "--vapid-subject", required = true, description = "mailto: or https: contact for the push service.")
        String vapidSubject;

        @Option(names = "--vapid-public", required = true, description = "VAPID public key (base64url).")
        String vapidPublic;

        @Option(names = "--vapid-private", required = true, description = "VAPID private key (base64url).")
        String vapidPrivate;

        @Option(names = "--timeout", defaultValue = "30", description = "Seconds to wait for the answer (default: ${DEFAULT-VALUE}).")
        long timeoutSeconds;

        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PushSubscription subscription = PushSubscription.of(endpoint, p256dh, auth);
            PushMessage message = PushMessage.builder()
                    .payload(payload).ttlSeconds(ttl).urgency(Urgency.fromToken(urgency)).topic(topic)
                    .encoding(ContentEncoding.fromToken(encoding)).build();
            if (timeoutSeconds < 1) {
                throw new IllegalArgumentException("--timeout must be at least 1 second");
            }
            try (WebPushSender sender = WebPushSender.builder()
                    .vapid(VapidKeys.fromBase64Url(vapidPublic, vapidPrivate), vapidSubject)
                    .requestTimeout(Duration.ofSeconds(timeoutSeconds))
                    .build()) {
                DeliveryResult result = sender.send(subscription, message).join();
                var out = spec.commandLine().getOut();
                return switch (result) {
                    case DeliveryResult.Created c -> {
                        out.println("sent: 201 Created" + c.location().map(l -> ", message " + l).orElse(""));
                        yield ExitCodes.OK;
                    }
                    case DeliveryResult.Gone g -> refused(g.status(), "subscription is gone; delete it", g.reason());
                    case DeliveryResult.PayloadTooLarge p -> refused(413, "payload too large", p.reason());
                    case DeliveryResult.RateLimited r -> refused(429, "rate limited"
                            + r.retryAfter().map(d -> ", retry after " + d.toSeconds() + " s").orElse(""), r.reason());
                    case DeliveryResult.Unauthorized u -> refused(u.status(), "VAPID credentials refused", u.reason());
                    case DeliveryResult.Rejected r -> refused(r.status(), "rejected", r.reason());
                    case DeliveryResult.ServerError s -> refused(s.status(), "push service error"
                            + s.retryAfter().map(d -> ", retry after " + d.toSeconds() + " s").orElse(""), s.reason());
                    case DeliveryResult.TransportFailure t -> {
                        spec.commandLine().getErr().println("unreachable (" + t.kind().name().toLowerCase() + "): " + t.message());
                        yield ExitCodes.UNREACHABLE;
                    }
                };
            }
        }

        private int refused(int status, String what, String reason) {
            spec.commandLine().getErr().println("refused: " + status + " " + what + (reason.isEmpty() ? "" : " — " + reason));
            return ExitCodes.REFUSED;
        }
    }
}
