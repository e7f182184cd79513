package dev.herald.server;

import dev.herald.server.cli.HeraldCommand;

/** Entry point of {@code herald.jar}: the command line decides what to run. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        // Idle pooled connections to push services close after a minute instead of the JDK's twenty, so the extra
        // connections a burst (or a stalled database) opens do not stay for the rest of the process's life.
        if (System.getProperty("jdk.httpclient.keepalive.timeout") == null) {
            System.setProperty("jdk.httpclient.keepalive.timeout", "60");
        }
        System.exit(HeraldCommand.commandLine(System.out, System.err).execute(args));
    }
}
