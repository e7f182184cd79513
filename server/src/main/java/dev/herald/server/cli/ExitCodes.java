package dev.herald.server.cli;

/** Exit statuses shared by all commands, so scripts can tell bad input from a refusal. */
final class ExitCodes {
    static final int OK = 0;
    /** The push service answered, but not with success. */
    static final int REFUSED = 1;
    /** The command's input was invalid (usage errors use the same status, picocli's default). */
    static final int BAD_INPUT = 2;
    /** The push service could not be reached. */
    static final int UNREACHABLE = 3;

    private ExitCodes() {}
}
