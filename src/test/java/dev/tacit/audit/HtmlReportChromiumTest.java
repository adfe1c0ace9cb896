package dev.tacit.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.audit.report.AuditHtml;
import dev.tacit.testing.External;
import dev.tacit.testing.FakeSmtpPeer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The HTML report opened in Debian's headless Chromium: it renders, shows the summary, and logs no console error. */
@Timeout(240)
class HtmlReportChromiumTest {

    static List<String> chromium(Path browser, Path profile, String... extra) {
        List<String> cmd = new ArrayList<>(List.of(browser.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0"));
        cmd.addAll(List.of(extra));
        return cmd;
    }

    static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        // stdout (the DOM) and stderr (the log) are read on two threads so neither pipe can fill up
        var err = new java.util.concurrent.CompletableFuture<String>();
        Thread.ofVirtual().start(() -> {
            try {
                err.complete(new String(p.getErrorStream().readAllBytes()));
            } catch (java.io.IOException e) {
                err.complete("");
            }
        });
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish");
        }
        return out + "\n---STDERR---\n" + err.get(10, TimeUnit.SECONDS);
    }

    @Test
    void reportRendersWithSummaryAndNoConsoleErrors(@TempDir Path dir) throws Exception {
        Path browser = External.require("chromium");
        TargetReport leaking;
        try (FakeSmtpPeer p = FakePeerVerdictTest.postfixLike(Set.of("postmaster", "alice")).start()) {
            leaking = new Auditor(FakePeerVerdictTest.fast().withUsers(List.of("alice", "bob")), null).audit(Target.of("127.0.0.1", p.port()));
        }
        TargetReport down = TargetReport.failed(Target.of("127.0.0.1", External.freePort()), "connection refused", List.of(), 0.01);
        Path html = dir.resolve("report.html");
        Files.writeString(html, AuditHtml.render(new AuditReport(Instant.now(), Instant.now(), List.of(leaking, down))));
        assertThat(Files.readString(html)).doesNotContain("http://", "https://", "<script", "src=");

        Path png = dir.resolve("report.png");
        String shot = run(chromium(browser, dir.resolve("profile1"), "--window-size=1280,1600", "--screenshot=" + png, html.toUri().toString()));
        assertThat(png).exists();
        byte[] bytes = Files.readAllBytes(png);
        assertThat(bytes.length).as(shot).isGreaterThan(10_000);
        assertThat(new String(bytes, 1, 3)).isEqualTo("PNG");

        String dom = run(chromium(browser, dir.resolve("profile2"), "--dump-dom", html.toUri().toString()));
        String page = dom.substring(0, dom.indexOf("---STDERR---"));
        assertThat(page).contains("<section id=\"summary\">", "leak users through VRFY/EXPN", "VERIFIES", "alice", "connection refused");
        // the evidence: the finding's exchange and the whole transcript, as the browser parsed them
        assertThat(page).contains("C: VRFY postmaster", "S: 252 2.0.0 postmaster", "Recipient address rejected: User unknown",
                "<summary>Transcript (");
        String log = dom.substring(dom.indexOf("---STDERR---")) + shot.substring(shot.indexOf("---STDERR---"));
        assertThat(log.lines().filter(l -> l.contains("CONSOLE") || l.contains("Uncaught") || l.contains("ERR_FILE_NOT_FOUND")))
                .as("console messages").isEmpty();
        if (System.getenv("TACIT_KEEP_SCREENSHOT") != null) {
            Files.copy(png, Path.of(System.getenv("TACIT_KEEP_SCREENSHOT")), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
