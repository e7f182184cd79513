package dev.herald.server.cli;

import dev.herald.server.HeraldApp;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code herald serve}: runs the server until SIGTERM/SIGINT, then shuts down gracefully. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run the Herald server. Every option is also a config-file key and a HERALD_* environment variable.")
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        return runUntilStopped(HeraldApp.start(SettingsOptions.settings(spec)));
    }

    static int runUntilStopped(HeraldApp app) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "herald-shutdown"));
        stopped.await();
        return ExitCodes.OK;
    }
}
