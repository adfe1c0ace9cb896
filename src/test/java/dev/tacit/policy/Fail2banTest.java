package dev.tacit.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.External;
import dev.tacit.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guard's log line is fail2ban-friendly: Debian's fail2ban-regex (extracted by .ci/audit-peers.sh,
 * never installed), given the mail log of a real run and the filter shipped in
 * contrib/fail2ban/tacit-guard.conf, finds the blocked prober's address and nobody else's.
 */
class Fail2banTest {

    @TempDir
    Path dir;

    static final String PROBER = "127.0.7.7";

    @Test
    void fail2banRegexFindsTheBlockedProberOnly() throws Exception {
        Path peers = Path.of(System.getenv().getOrDefault("TACIT_PEERS", "/var/tmp/tacit-peers"), "fail2ban");
        Path regex = External.require("fail2ban-regex", peers.resolve("usr/bin").toString());
        try (TestServer ts = TestServer.start(dir, """
                log_level = 9
                [guard]
                tarpit_after = 2
                tarpit_delay = "1ms"
                refuse_after = 3
                block_after = 4
                [log]
                stdout = false
                file = "mail.log"
                """)) {
            // a legitimate client first, then a prober that reconnects for every guess
            try (SmtpClient c = ts.greeted()) {
                c.command("EHLO legit.example.net");
                c.command("MAIL FROM:<a@example.org>");
                assertThat(c.command("RCPT TO:<gw@example.com>").code()).isEqualTo(250);
            }
            List<String> seen = new ArrayList<>();
            for (int i = 1; i <= 6; i++) {
                try (SmtpClient c = SmtpClient.connect("127.0.0.1", ts.port(), Duration.ofSeconds(10), PROBER)) {
                    SmtpClient.Response g = c.read();
                    if (g.code() != 220) {
                        seen.add(g.raw().get(0));
                        continue;
                    }
                    c.command("HELO prober.example.net");
                    seen.add(c.command("VRFY guess" + i).raw().get(0));
                }
            }
            assertThat(seen).anyMatch(l -> l.startsWith("421 4.7.0"));
        }
        Path log = dir.resolve("mail.log");
        Path filter = External.projectDir().resolve("contrib/fail2ban/tacit-guard.conf");
        ProcessBuilder pb = new ProcessBuilder("python3", regex.toString(), "--print-all-matched", log.toString(), filter.toString())
                .redirectErrorStream(true);
        pb.environment().put("PYTHONPATH", peers.resolve("usr/lib/python3/dist-packages").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).as(out).contains("Failregex: 1 total").contains("guard: blocked client " + PROBER + " until");
        // the date was understood (a line fail2ban cannot date is "missed", never matched)
        assertThat(out).as(out).containsPattern("Date template hits:[\\s\\S]*\\[[1-9]\\d*\\] \\{\\^LN-BEG\\}");
        assertThat(out.lines().filter(l -> l.contains("127.0.0.1") && l.contains("guard:"))).isEmpty();
        // the log holds the tarpit and refusal lines too, and the filter leaves them alone
        assertThat(Files.readString(log)).contains("guard: tarpitting client " + PROBER, "guard: refusing client " + PROBER);
    }
}
