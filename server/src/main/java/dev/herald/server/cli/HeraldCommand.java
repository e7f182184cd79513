package dev.herald.server.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code herald}: the top-level command; each feature adds its subcommand here. */
@Command(name = "herald", mixinStandardHelpOptions = true, version = "herald 0.1.0",
        description = "Self-hosted Web Push and Background Sync server for Progressive Web Apps.",
        subcommands = {ServeCommand.class, PushServiceCommand.class, KeysCommand.class, SendCommand.class, VapidCommand.class, PushCommand.class})
public final class HeraldCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * The configured command line: usage errors and bad values (an {@link IllegalArgumentException} from
     * the library) print one clear line and exit 2, never a stack trace.
     */
    public static CommandLine commandLine(PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new HeraldCommand());
        // Commands that open the server's database or keys take every server setting as a flag.
        for (CommandLine sub : java.util.List.of(cl.getSubcommands().get("serve"), cl.getSubcommands().get("push-service"),
                cl.getSubcommands().get("keys").getSubcommands().get("create"),
                cl.getSubcommands().get("keys").getSubcommands().get("list"), cl.getSubcommands().get("keys").getSubcommands().get("revoke"),
                cl.getSubcommands().get("vapid").getSubcommands().get("show"))) {
            SettingsOptions.addTo(sub.getCommandSpec());
        }
        // An option's value is whatever follows it, even when it looks like an option: base64url secrets and keys
        // begin with "-h" or "-V" about 1 time in 2,048 each, and a payload may be "-hello". With clustering, picocli
        // reads such a value as the clustered help/version flags and prints the usage text instead of running.
        cl.setPosixClusteredShortOptionsAllowed(false);
        // `push send` takes even "-h" or "--help" as a value. Only there: everywhere else a flag without its optional
        // value (`--demo --port 9000`) would swallow the next option as its value.
        cl.getSubcommands().get("push").getSubcommands().get("send").setAllowOptionsAsOptionParameters(true);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setExecutionExceptionHandler((e, line, parseResult) -> {
            if (e instanceof dev.herald.server.config.ConfigException) {
                line.getErr().println("configuration error: " + e.getMessage());
                return ExitCodes.BAD_INPUT;
            }
            if (e instanceof IllegalArgumentException) {
                line.getErr().println("error: " + e.getMessage());
                return ExitCodes.BAD_INPUT;
            }
            throw e;
        });
        return cl;
    }
}
