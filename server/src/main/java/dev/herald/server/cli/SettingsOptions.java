package dev.herald.server.cli;

import dev.herald.server.config.Option;
import dev.herald.server.config.Settings;
import dev.herald.server.config.SettingsLoader;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Adds every {@link Option} as a flag to a command (declared once, in the enum), and reads the given flags back
 * into {@link Settings} together with the config file and environment.
 */
final class SettingsOptions {
    private SettingsOptions() {}

    static void addTo(CommandSpec spec) {
        for (Option o : Option.values()) {
            String dflt = o.defaultValue().isEmpty() ? "" : " Default: " + o.defaultValue() + ".";
            OptionSpec.Builder b = OptionSpec.builder(o.flag())
                    .description(o.description() + dflt + " Env: " + o.env() + ".")
                    .type(String.class)
                    .paramLabel(o.label());
            if (o.isBoolean()) {
                b.arity("0..1").fallbackValue("true");
            } else {
                // The value is the next argument as given: a secret or key may begin with -h or -V (1 in 2,048),
                // which picocli would otherwise take for the help or version option and refuse.
                b.parameterConsumer((args, arg, command) -> {
                    if (args.isEmpty()) {
                        throw new CommandLine.ParameterException(command.commandLine(), "Missing value for " + o.flag());
                    }
                    arg.setValue(args.pop());
                });
            }
            spec.addOption(b.build());
        }
    }

    static Settings settings(CommandSpec spec) {
        Map<Option, String> flags = new EnumMap<>(Option.class);
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        for (Option o : Option.values()) {
            if (parsed.hasMatchedOption(o.flag())) {
                flags.put(o, parsed.matchedOptionValue(o.flag(), ""));
            } else if (spec.findOption(o.flag()).getValue() != null) {
                flags.put(o, spec.findOption(o.flag()).getValue()); // set by a parameter consumer above
            }
        }
        return SettingsLoader.load(System.getenv(), flags, Path.of("").toAbsolutePath());
    }
}
