package dev.herald.server.cli;

import dev.herald.server.config.ServerKeys;
import dev.herald.webpush.VapidKeys;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code herald vapid …}: VAPID key tooling. */
@Command(name = "vapid", description = "VAPID key tools.", mixinStandardHelpOptions = true,
        subcommands = {VapidCommand.Generate.class, VapidCommand.Show.class})
final class VapidCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Generate a P-256 VAPID key pair (base64url, as browsers and npm web-push use them).")
    static final class Generate implements Callable<Integer> {
        @Option(names = "--json", description = "Print {\"publicKey\":…,\"privateKey\":…}.")
        boolean json;

        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            VapidKeys keys = VapidKeys.generate();
            var out = spec.commandLine().getOut();
            if (json) {
                out.println("{\"publicKey\":\"" + keys.publicKeyBase64Url() + "\",\"privateKey\":\""
                        + keys.privateKeyBase64Url() + "\"}");
            } else {
                out.println("Public Key:");
                out.println(keys.publicKeyBase64Url());
                out.println();
                out.println("Private Key:");
                out.println(keys.privateKeyBase64Url());
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Print the server's VAPID public key (the one browsers subscribe with); generates keys on first use.")
    static final class Show implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            ServerKeys keys = ServerKeys.load(SettingsOptions.settings(spec));
            spec.commandLine().getOut().println(keys.vapid().publicKeyBase64Url());
            return ExitCodes.OK;
        }
    }
}
