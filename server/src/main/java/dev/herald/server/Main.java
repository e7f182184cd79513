package dev.herald.server;

import dev.herald.server.cli.HeraldCommand;

/** Entry point of {@code herald.jar}: the command line decides what to run. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(HeraldCommand.commandLine(System.out, System.err).execute(args));
    }
}
