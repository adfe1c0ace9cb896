package dev.tacit.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A private Dovecot (Debian's dovecot-lmtpd and dovecot-imapd, installed by .ci/run) started from its
 * own config in a scratch folder: LMTP and IMAP on free loopback ports, users and plain passwords
 * from a passwd-file, Maildirs under the folder. Run in the foreground and stopped by pid; the
 * master stops its children.
 *
 * <p>As root, mail is stored as user nobody (Dovecot refuses uid 0); otherwise as the current user.
 */
public final class Dovecot implements AutoCloseable {

    private final Process process;
    private final Path dir;
    private final int lmtpPort;
    private final int imapPort;

    private Dovecot(Process process, Path dir, int lmtpPort, int imapPort) {
        this.process = process;
        this.dir = dir;
        this.lmtpPort = lmtpPort;
        this.imapPort = imapPort;
    }

    /** @param users login to password */
    public static Dovecot start(Map<String, String> users) throws Exception {
        Path bin = External.require("dovecot");
        if (!Files.isExecutable(Path.of("/usr/lib/dovecot/lmtp")) || !Files.isExecutable(Path.of("/usr/lib/dovecot/imap"))) {
            String msg = "dovecot-lmtpd and dovecot-imapd are not installed (.ci/run installs them)";
            if (External.ci()) {
                throw new AssertionError(msg);
            }
            org.junit.jupiter.api.Assumptions.abort(msg);
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        // under /tmp with a+x so that the unprivileged mail user can reach its Maildirs
        Path dir = Files.createTempDirectory("tacit-dovecot-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path mail = Files.createDirectories(dir.resolve("mail"));
        Files.createDirectories(dir.resolve("run"));
        Files.createDirectories(dir.resolve("state"));
        StringBuilder pw = new StringBuilder();
        users.forEach((u, p) -> pw.append(u).append(":{PLAIN}").append(p).append("::::::\n"));
        Files.writeString(dir.resolve("passwd"), pw);
        String me = System.getProperty("user.name");
        String mailUser = root ? "nobody" : me;
        if (root) {
            new ProcessBuilder("chown", "nobody", mail.toString()).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
        }
        int lmtp = External.freePort();
        int imap = External.freePort();
        String conf = """
                base_dir = %1$s/run
                state_dir = %1$s/state
                log_path = %1$s/dovecot.log
                protocols = imap lmtp
                listen = 127.0.0.1
                ssl = no
                disable_plaintext_auth = no
                auth_mechanisms = plain login
                auth_username_format = %%Ln
                default_internal_user = %2$s
                default_login_user = %3$s
                mail_location = maildir:%1$s/mail/%%n
                first_valid_uid = 1
                passdb {
                  driver = passwd-file
                  args = scheme=PLAIN %1$s/passwd
                }
                userdb {
                  driver = static
                  args = uid=%4$s gid=%5$s home=%1$s/mail/%%n
                }
                service imap-login {
                  inet_listener imap {
                    address = 127.0.0.1
                    port = %6$d
                  }
                  inet_listener imaps {
                    port = 0
                  }
                }
                service lmtp {
                  inet_listener lmtp {
                    address = 127.0.0.1
                    port = %7$d
                  }
                }
                """.formatted(dir, root ? "dovecot" : me, root ? "dovenull" : me, mailUser, root ? "nogroup" : group(),
                imap, lmtp);
        Files.writeString(dir.resolve("dovecot.conf"), conf);
        Process p = new ProcessBuilder(bin.toString(), "-F", "-c", dir.resolve("dovecot.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        Dovecot d = new Dovecot(p, dir, lmtp, imap);
        long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < end) {
            if (!p.isAlive()) {
                throw new IllegalStateException("dovecot exited: " + Files.readString(dir.resolve("stdout.log")) + log(dir));
            }
            if (listening(lmtp) && listening(imap)) {
                return d;
            }
            Thread.sleep(50);
        }
        d.close();
        throw new IllegalStateException("dovecot did not listen: " + log(dir));
    }

    private static String group() throws IOException {
        return Files.getAttribute(Path.of(System.getProperty("user.home")), "posix:group").toString();
    }

    private static String log(Path dir) {
        try {
            return Files.readString(dir.resolve("dovecot.log"));
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public int lmtpPort() {
        return lmtpPort;
    }

    public int imapPort() {
        return imapPort;
    }

    public String log() {
        return log(dir);
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
