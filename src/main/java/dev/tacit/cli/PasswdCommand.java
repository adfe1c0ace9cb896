package dev.tacit.cli;

import dev.tacit.directory.PasswordHash;
import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tacit passwd}: prints an Argon2id hash of a password for the directory (the fourth field of a
 * users file line, the password_hash column in PostgreSQL). The password is read from the terminal
 * without echo, twice, or from one line of standard input with {@code --stdin}; it is never an
 * argument, where ps(1) and shell history would see it.
 */
@Command(name = "passwd", mixinStandardHelpOptions = true,
        description = {"Print an Argon2id hash of a password, for AUTH.",
                "Put it in the users file as login:Full Name:mailbox:HASH (mailbox may be empty),",
                "or in the password_hash column of tacit_users (PostgreSQL)."})
final class PasswdCommand implements Callable<Integer> {

    /** Longer input is refused: no one types this, and Argon2 would hash it all. */
    static final int MAX_PASSWORD_BYTES = 1024;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--stdin", description = "read the password from the first line of standard input (for scripts)")
    boolean stdin;

    @Override
    public Integer call() throws IOException {
        byte[] pw = stdin ? fromStdin(System.in) : fromTerminal();
        try {
            if (pw.length == 0) {
                throw new CliException("passwd: the password is empty", 2);
            }
            if (pw.length > MAX_PASSWORD_BYTES) {
                throw new CliException("passwd: the password is longer than " + MAX_PASSWORD_BYTES + " bytes", 2);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(PasswordHash.hash(pw));
            out.flush();
            return 0;
        } finally {
            Arrays.fill(pw, (byte) 0);
        }
    }

    static byte[] fromStdin(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (b.size() > MAX_PASSWORD_BYTES) {
                break;
            }
            b.write(c);
        }
        byte[] line = b.toByteArray();
        int len = line.length > 0 && line[line.length - 1] == '\r' ? line.length - 1 : line.length;
        return Arrays.copyOf(line, len);
    }

    private static byte[] fromTerminal() {
        Console con = System.console();
        if (con == null) {
            throw new CliException("passwd: no terminal to read the password from; use --stdin", 2);
        }
        char[] a = con.readPassword("Password: ");
        char[] b = con.readPassword("Again: ");
        try {
            if (a == null || b == null || !Arrays.equals(a, b)) {
                throw new CliException("passwd: the passwords differ", 2);
            }
            ByteBuffer bb = StandardCharsets.UTF_8.encode(CharBuffer.wrap(a));
            byte[] out = Arrays.copyOf(bb.array(), bb.limit());
            Arrays.fill(bb.array(), (byte) 0);
            return out;
        } finally {
            if (a != null) {
                Arrays.fill(a, '\0');
            }
            if (b != null) {
                Arrays.fill(b, '\0');
            }
        }
    }
}
