package dev.tacit.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tacit.cli.Main;
import dev.tacit.policy.PrivacyOptions;
import dev.tacit.testing.External;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private TacitConfig parse(String toml) throws ConfigException {
        return ConfigLoader.parse(toml, dir.resolve("tacit.toml"));
    }

    @Test
    void defaultsAreSafe() throws Exception {
        TacitConfig c = parse("hostname = \"mx.example.com\"\n");
        assertThat(c.privacy().has(PrivacyOptions.Flag.NOVRFY)).isTrue();
        assertThat(c.privacy().has(PrivacyOptions.Flag.NOEXPN)).isTrue();
        assertThat(c.privacy().flags()).isEqualTo(PrivacyOptions.parse("goaway").flags());
        assertThat(c.logLevel()).isEqualTo(9);
        assertThat(c.limits().commandTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.limits().dataTimeout()).isEqualTo(Duration.ofMinutes(3));
        assertThat(c.greetingText()).isEmpty();
        assertThat(c.dataDir()).isEqualTo(dir.resolve("data"));
        assertThat(c.usersFile()).isEqualTo(dir.resolve("data/users"));
    }

    @Test
    void relativePathsResolveAgainstTheConfigFolder() throws Exception {
        TacitConfig c = parse("data_dir = \"/var/tacit\"\nusers_file = \"etc/users\"\naliases_file = \"/etc/aliases\"\n");
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/tacit"));
        assertThat(c.usersFile()).isEqualTo(dir.resolve("etc/users"));
        assertThat(c.aliasesFile()).isEqualTo(Path.of("/etc/aliases"));
    }

    @Test
    void listenTakesIpv4AndIpv6() throws Exception {
        TacitConfig c = parse("listen = [\"127.0.0.1:25\", \"[::1]:2525\"]\n");
        assertThat(c.listen()).extracting(TacitConfig.ListenAddress::host).containsExactly("127.0.0.1", "::1");
        assertThat(c.listen()).extracting(TacitConfig.ListenAddress::port).containsExactly(25, 2525);
    }

    @Test
    void unknownKeyNamesFileLineAndKey() {
        assertThatThrownBy(() -> parse("hostname = \"a.b\"\n\nlog_levle = 9\n"))
                .hasMessage(dir.resolve("tacit.toml") + ":3: key 'log_levle': unknown key (did you mean 'log_level'?)");
        assertThatThrownBy(() -> parse("[limit]\nmax_recipients = 5\n")).hasMessageContaining(":1: key 'limit': unknown table");
        assertThatThrownBy(() -> parse("[limits]\nmax_recipient = 5\n"))
                .hasMessageContaining(":2: key 'limits.max_recipient': unknown key (did you mean 'limits.max_recipients'?)");
    }

    @Test
    void badValuesNameTheKeyAndLine() {
        assertThatThrownBy(() -> parse("log_level = \"nine\"\n")).hasMessageEndingWith(":1: key 'log_level': expected an integer, got a string");
        assertThatThrownBy(() -> parse("\nlog_level = 100\n")).hasMessageEndingWith(":2: key 'log_level': must be between 0 and 99, got 100");
        assertThatThrownBy(() -> parse("privacy_options = \"goaway,nosuchflag\"\n"))
                .hasMessageEndingWith(":1: key 'privacy_options': nosuchflag unrecognized");
        assertThatThrownBy(() -> parse("listen = [\"::1:25\"]\n")).hasMessageContaining(":1: key 'listen': \"::1:25\": put IPv6 addresses in brackets");
        assertThatThrownBy(() -> parse("[limits]\ncommand_timeout = \"5 minutes\"\n")).hasMessageContaining(":2: key 'limits.command_timeout': unknown duration unit");
        assertThatThrownBy(() -> parse("[limits]\nmax_message_size = \"lots\"\n")).hasMessageContaining(":2: key 'limits.max_message_size': expected a size");
        assertThatThrownBy(() -> parse("hostname = \"bad host\"\n")).hasMessageContaining(":1: key 'hostname': \"bad host\" is not a valid host name");
        assertThatThrownBy(() -> parse("hostname = \n")).hasMessageContaining(":1:");
    }

    @Test
    void serveWithABadConfigPrintsOneLineAndExits2() throws Exception {
        Path f = dir.resolve("bad.toml");
        Files.writeString(f, "listen = [\"127.0.0.1:0\"]\nmax_rcpts = 5\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "serve", "--config", f.toString());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("tacit: " + f.toAbsolutePath() + ":2: key 'max_rcpts': unknown key" + System.lineSeparator());
    }

    @Test
    void everyKeyIsDocumented() throws Exception {
        String doc = Files.readString(External.projectDir().resolve("docs/config.md"));
        for (Param p : Params.ALL) {
            int dot = p.key().lastIndexOf('.');
            String section = dot < 0 ? doc : doc.substring(Math.max(0, doc.indexOf("## `[" + p.key().substring(0, dot) + "]`")));
            String leaf = p.key().substring(dot + 1);
            assertThat(doc).as("docs/config.md has a section for " + p.key()).contains(dot < 0 ? "`" + leaf + "`" : "## `[" + p.key().substring(0, dot) + "]`");
            assertThat(section).as("docs/config.md documents " + p.key()).contains("| `" + leaf + "` |");
        }
    }
}
