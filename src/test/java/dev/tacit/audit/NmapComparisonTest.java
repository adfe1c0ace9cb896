package dev.tacit.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.testing.External;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tacit against nmap's smtp-enum-users (Debian's nmap) on the same real servers (sendmail, Postfix,
 * Exim) and wordlist: Tacit finds every user nmap finds, and also the Postfix VRFY case (252 for real
 * users), which nmap takes for "method not permitted" (peers.md 2.1).
 */
@Timeout(300)
class NmapComparisonTest {

    static final List<String> WORDS = List.of("gw", "tj", "alice", "bob");

    /** Users nmap reports, parsed from its normal output. */
    static Set<String> nmap(int port, String methods, Path words, Path tmp) throws Exception {
        Path nmap = External.require("nmap");
        // smtp-enum-users only runs on ports nmap calls "smtp": a private services file names ours so
        Path dd = Files.createDirectories(tmp.resolve("nmap-data-" + port));
        Files.writeString(dd.resolve("nmap-services"), "smtp\t" + port + "/tcp\t0.1\n");
        List<String> cmd = new ArrayList<>(List.of(nmap.toString(), "--datadir", dd.toString(), "-Pn", "-n", "-p", String.valueOf(port),
                "127.0.0.1", "--script", "smtp-enum-users", "--script-args",
                "userdb=" + words + ",unpwdb.timelimit=0,smtp.domain=example.com" + (methods == null ? "" : ",smtp-enum-users.methods={" + methods + "}")));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("nmap did not finish");
        }
        Set<String> found = new LinkedHashSet<>();
        boolean in = false;
        for (String line : out.split("\n")) {
            if (line.startsWith("| smtp-enum-users:")) {
                in = true;
                continue;
            }
            if (in && (line.startsWith("|   ") || line.startsWith("|_  "))) {
                String w = line.substring(4).strip();
                if (WORDS.contains(w)) {
                    found.add(w);
                }
                if (line.startsWith("|_")) {
                    in = false;
                }
            }
        }
        assertThat(out).as("nmap ran the script").contains("smtp-enum-users");
        return found;
    }

    static Set<String> tacit(RealPeers p) {
        AuditOptions o = AuditOptions.defaults().withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(3)).withPace(2, 0)
                .withDomain("example.com").withUsers(WORDS);
        TargetReport r = new Auditor(o, null).audit(p.target());
        Set<String> out = new LinkedHashSet<>();
        r.users().forEach(u -> out.add(u.name()));
        return out;
    }

    @Test
    void tacitFindsEverythingNmapFindsAndThePostfix252Case(@TempDir Path tmp) throws Exception {
        Path words = tmp.resolve("words.txt");
        Files.writeString(words, String.join("\n", WORDS) + "\n");
        External.require("nmap");
        try (RealPeers sm = RealPeers.sendmail("authwarnings")) {
            Set<String> byNmap = nmap(sm.port(), "VRFY", words, tmp);
            byNmap.addAll(nmap(sm.port(), null, words, tmp));
            Set<String> byTacit = tacit(sm);
            assertThat(byNmap).as("nmap on sendmail").contains("gw", "tj");
            assertThat(byTacit).containsAll(byNmap);
        }
        try (RealPeers pf = RealPeers.postfix(false)) {
            Set<String> byNmapVrfy = nmap(pf.port(), "VRFY", words, tmp);
            Set<String> byNmap = new LinkedHashSet<>(byNmapVrfy);
            byNmap.addAll(nmap(pf.port(), null, words, tmp));
            Set<String> byTacit = tacit(pf);
            // nmap reads Postfix's "252 2.0.0 gw" as "VRFY not permitted"
            assertThat(byNmapVrfy).as("nmap VRFY on Postfix").isEmpty();
            assertThat(byTacit).containsExactly("gw", "tj");
            assertThat(byTacit).containsAll(byNmap);
        }
        try (RealPeers ex = RealPeers.exim()) {
            // Exim answers VRFY 252 to every name; nmap's RCPT method and Tacit's both see the RCPT oracle
            Set<String> byNmap = nmap(ex.port(), null, words, tmp);
            byNmap.addAll(nmap(ex.port(), "RCPT", words, tmp));
            Set<String> byTacit = tacit(ex);
            assertThat(byTacit).containsExactly("gw", "tj");
            assertThat(byTacit).containsAll(byNmap);
        }
    }
}
