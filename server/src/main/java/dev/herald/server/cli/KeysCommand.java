package dev.herald.server.cli;

import dev.herald.server.auth.ApiKeyStore;
import dev.herald.server.auth.Scope;
import dev.herald.server.common.Times;
import dev.herald.server.storage.Database;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code herald keys create|list|revoke}: API keys, straight in the database the server uses. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Manage API keys.",
        subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class})
final class KeysCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static <T> T withStore(CommandSpec spec, java.util.function.Function<ApiKeyStore, T> work) {
        try (Database db = Database.open(SettingsOptions.settings(spec))) {
            return work.apply(new ApiKeyStore(db.jdbi(), Clock.systemUTC()));
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an API key; it is shown only once.")
    static final class Create implements Callable<Integer> {
        @Option(names = "--scope", required = true, split = ",", description = "send, manage, admin (repeatable or comma-separated).")
        List<String> scopes;

        @Option(names = "--name", defaultValue = "api key", description = "A label for listings.")
        String name;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            EnumSet<Scope> set = EnumSet.noneOf(Scope.class);
            scopes.forEach(s -> set.add(Scope.parse(s)));
            ApiKeyStore.Created created = withStore(spec, store -> store.create(name, set));
            spec.commandLine().getOut().println(created.key());
            spec.commandLine().getErr().println("key " + created.id() + " created with scopes "
                    + set.stream().map(Scope::token).collect(Collectors.joining(",")) + "; store it now, it is not shown again");
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List API keys (never their secrets).")
    static final class ListKeys implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            var out = spec.commandLine().getOut();
            for (ApiKeyStore.Info k : withStore(spec, ApiKeyStore::list)) {
                out.printf("%s  %-20s  %-18s  created %s%s%n", k.id(), k.name(),
                        k.scopes().stream().map(Scope::token).collect(Collectors.joining(",")), Times.rfc3339(k.createdAt()),
                        k.revokedAt() == null ? "" : "  REVOKED " + Times.rfc3339(k.revokedAt()));
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke an API key by id.")
    static final class Revoke implements Callable<Integer> {
        @Parameters(index = "0", description = "The key's id (from 'herald keys list').")
        String id;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (!withStore(spec, store -> store.revoke(id))) {
                spec.commandLine().getErr().println("error: no live key " + id);
                return ExitCodes.BAD_INPUT;
            }
            spec.commandLine().getOut().println("revoked " + id);
            return ExitCodes.OK;
        }
    }
}
