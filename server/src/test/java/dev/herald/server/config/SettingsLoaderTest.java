package dev.herald.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsLoaderTest {
    @TempDir
    Path dir;

    @Test
    void defaultsAreTheDocumentedOnes() {
        Settings s = SettingsLoader.load(Map.of(), Map.of(), dir);

        assertThat(s.port()).isEqualTo(8080);
        assertThat(s.dataDir()).isEqualTo(Path.of("./data"));
        assertThat(s.jdbcUrl()).isEqualTo("jdbc:sqlite:./data/herald.db");
        assertThat(s.postgres()).isFalse();
        assertThat(s.publicUrl()).isNull();
        assertThat(s.demo()).isFalse();
    }

    @Test
    void fileThenEnvironmentThenFlagsEachOverrideTheOneBefore() throws Exception {
        Files.writeString(dir.resolve("herald.toml"), """
                # a comment
                port = 9000
                data-dir = "/var/lib/herald"
                public-url = "https://push.example.com/"
                push-hosts = ["push.example.net", ".corp.example"]
                demo = true
                """);

        Settings fileOnly = SettingsLoader.load(Map.of(), Map.of(), dir);
        Settings withEnv = SettingsLoader.load(Map.of("HERALD_PORT", "9100", "HERALD_DATA_DIR", "/srv/h"), Map.of(), dir);
        Settings withFlags = SettingsLoader.load(Map.of("HERALD_PORT", "9100"), Map.of(Option.PORT, "9200"), dir);

        assertThat(fileOnly.port()).isEqualTo(9000);
        assertThat(fileOnly.publicUrl()).hasToString("https://push.example.com");
        assertThat(fileOnly.pushHosts()).containsExactly("push.example.net", ".corp.example");
        assertThat(fileOnly.demo()).isTrue();
        assertThat(withEnv.port()).isEqualTo(9100);
        assertThat(withEnv.dataDir()).isEqualTo(Path.of("/srv/h"));
        assertThat(withFlags.port()).isEqualTo(9200);
    }

    @Test
    void yamlAndAnExplicitConfigFileWork() throws Exception {
        Path yaml = dir.resolve("custom.yaml");
        Files.writeString(yaml, "port: 7000\ndatabase-url: jdbc:postgresql://db.internal/herald\n");

        Settings s = SettingsLoader.load(Map.of(), Map.of(Option.CONFIG, yaml.toString()), dir);

        assertThat(s.port()).isEqualTo(7000);
        assertThat(s.postgres()).isTrue();
    }

    @Test
    void badConfigurationStopsWithAMessageNamingItsSource() throws Exception {
        assertThatThrownBy(() -> SettingsLoader.load(Map.of("HERALD_PORT", "eighty"), Map.of(), dir))
                .isInstanceOf(ConfigException.class).hasMessage("HERALD_PORT = 'eighty' is not a whole number");
        assertThatThrownBy(() -> SettingsLoader.load(Map.of(), Map.of(Option.PORT, "70000"), dir))
                .hasMessage("--port = 70000 is out of range (0 to 65535)");
        assertThatThrownBy(() -> SettingsLoader.load(Map.of("HERALD_DATABASE_URL", "jdbc:mysql://x"), Map.of(), dir))
                .hasMessage("HERALD_DATABASE_URL must start with jdbc:postgresql: or jdbc:sqlite:");
        assertThatThrownBy(() -> SettingsLoader.load(Map.of("HERALD_VAPID_SUBJECT", "mailto:me@localhost"), Map.of(), dir))
                .hasMessageContaining("names a local host");
        assertThatThrownBy(() -> SettingsLoader.load(Map.of("HERALD_VAPID_PUBLIC_KEY", "abc"), Map.of(), dir))
                .hasMessageContaining("set both vapid-public-key and vapid-private-key");
        assertThatThrownBy(() -> SettingsLoader.load(Map.of("HERALD_DEMO", "maybe"), Map.of(), dir))
                .hasMessage("HERALD_DEMO = 'maybe' is not true or false");
        assertThatThrownBy(() -> SettingsLoader.load(Map.of("HERALD_RETRY_MIN", "100", "HERALD_RETRY_MAX", "10"), Map.of(), dir))
                .hasMessageContaining("retry-max (10) must be >= retry-min (100)");
        assertThatThrownBy(() -> SettingsLoader.load(Map.of("HERALD_TRUSTED_PROXIES", "10.0.0.0/8,proxy.local"), Map.of(), dir))
                .hasMessage("HERALD_TRUSTED_PROXIES: 'proxy.local' is not an IP address or CIDR");
        assertThat(SettingsLoader.load(Map.of(), Map.of(Option.TRUSTED_PROXIES, "10.0.0.0/8, fd00::/8"), dir).trustedProxies())
                .hasToString("[10.0.0.0/8, fd00:0:0:0:0:0:0:0/8]");
        Files.writeString(dir.resolve("herald.toml"), "prot = 80\n");
        assertThatThrownBy(() -> SettingsLoader.load(Map.of(), Map.of(), dir)).hasMessageContaining("unknown setting 'prot'");
        Files.writeString(dir.resolve("herald.toml"), "port = [\n");
        assertThatThrownBy(() -> SettingsLoader.load(Map.of(), Map.of(), dir)).hasMessageContaining("cannot be read");
        assertThatThrownBy(() -> SettingsLoader.load(Map.of(), Map.of(Option.CONFIG, "/nope.toml"), dir))
                .hasMessage("config file /nope.toml does not exist");
    }

    @Test
    void categoriesComeCompactOrAsTablesAndBadOnesStopStartUp() throws Exception {
        Settings compact = SettingsLoader.load(Map.of("HERALD_CATEGORIES", "news:on,promo:off:Special offers,security:critical"),
                Map.of(), dir);
        assertThat(compact.categories()).containsExactly(new Settings.Category("news", "News", "", true, false, 0),
                new Settings.Category("promo", "Special offers", "", false, false, 0),
                new Settings.Category("security", "Security", "", true, true, 0));
        Files.writeString(dir.resolve("herald.toml"), """
                topics = ["news", "sports"]
                [[categories]]
                id = "messages"
                label = "Messages"
                description = "When someone writes to you, even with commas: like this"
                max-per-day = 20
                [[categories]]
                id = "account"
                critical = true
                """);
        Settings tables = SettingsLoader.load(Map.of(), Map.of(), dir);
        assertThat(tables.categories()).containsExactly(
                new Settings.Category("messages", "Messages", "When someone writes to you, even with commas: like this", true, false, 20),
                new Settings.Category("account", "Account", "", true, true, 0));
        assertThat(tables.topics()).containsExactly("news", "sports");
        Files.delete(dir.resolve("herald.toml"));

        assertThat(SettingsLoader.load(Map.of(), Map.of(), dir).categories()).extracting(Settings.Category::id).containsExactly("general");
        assertThat(SettingsLoader.load(Map.of("HERALD_DEMO", "true"), Map.of(), dir).categories()).extracting(Settings.Category::id)
                .containsExactly("posts", "mentions", "announcements", "account");
        assertThatThrownBy(() -> SettingsLoader.load(Map.of("HERALD_CATEGORIES", "news:maybe"), Map.of(), dir))
                .hasMessage("HERALD_CATEGORIES: 'news:maybe' is not id:on|off|critical[:Label]");
        assertThatThrownBy(() -> SettingsLoader.load(Map.of("HERALD_CATEGORIES", "news:on,news:off"), Map.of(), dir))
                .hasMessage("HERALD_CATEGORIES: category 'news' is listed twice");
        assertThatThrownBy(() -> SettingsLoader.load(Map.of("HERALD_CATEGORIES", "[{\"id\":\"a\",\"critical\":true,\"default\":false}]"),
                Map.of(), dir)).hasMessage("HERALD_CATEGORIES: category 'a' is critical, so it cannot default to off");
        assertThatThrownBy(() -> SettingsLoader.load(Map.of("HERALD_CATEGORIES", "Bad Id:on"), Map.of(), dir))
                .hasMessageContaining("is not a category id");
        assertThatThrownBy(() -> SettingsLoader.load(Map.of("HERALD_CORS_ORIGINS", "https://app.example.com/path"), Map.of(), dir))
                .hasMessageContaining("is not an origin like https://app.example.com");
        assertThatThrownBy(() -> SettingsLoader.load(Map.of("HERALD_TOPICS", "news,Sports!"), Map.of(), dir))
                .hasMessageContaining("'Sports!' is not a topic name");
    }

    @Test
    void secretsNeverAppearInTheSettingsText() {
        Settings s = SettingsLoader.load(Map.of("HERALD_USER_TOKEN_SECRET", "s3cret-s3cret-s3cret-s3cret-s3cret!",
                "HERALD_DATABASE_PASSWORD", "hunter2"), Map.of(), dir);

        assertThat(s.toString()).doesNotContain("s3cret").doesNotContain("hunter2").contains("redacted");
    }

    @Test
    void environmentNamesDeriveFromTheOptionNames() {
        assertThat(Option.DATABASE_URL.env()).isEqualTo("HERALD_DATABASE_URL");
        assertThat(Option.PUBLIC_URL.flag()).isEqualTo("--public-url");
        assertThat(Option.DATA_DIR.env()).isEqualTo("HERALD_DATA_DIR");
    }
}
