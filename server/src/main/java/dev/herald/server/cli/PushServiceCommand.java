package dev.herald.server.cli;

import dev.herald.server.HeraldApp;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code herald push-service}: only the embedded RFC 8030 push service (and health, readiness, metrics), for an
 * operator who self-hosts a push service for Firefox users apart from the application server.
 */
@Command(name = "push-service", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run only the push service (/wpush/…): Firefox's dom.push.serverURL = ws(s)://<host>/wpush/connect.")
final class PushServiceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        return ServeCommand.runUntilStopped(HeraldApp.start(SettingsOptions.settings(spec), HeraldApp.Role.PUSH_SERVICE));
    }
}
