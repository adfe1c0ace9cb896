package dev.tacit.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The users and aliases(5) parsers against files as real sites write them, and the errors they report. */
class FileDirectoryTest {

    static final LocalDomains DOMAINS = new LocalDomains("mail.example.com", List.of("example.com"), List.of("127.0.0.1"));

    @TempDir
    Path dir;

    private FileDirectory.Loaded load(String users, String aliases) throws Exception {
        return load(users, aliases, Expander.Options.DEFAULT);
    }

    private FileDirectory.Loaded load(String users, String aliases, Expander.Options o) throws Exception {
        Files.writeString(dir.resolve("users"), users);
        Files.writeString(dir.resolve("aliases"), aliases);
        return FileDirectory.load(dir.resolve("users"), dir.resolve("aliases"), DOMAINS, o);
    }

    private List<String> errors(FileDirectory.Loaded l) {
        return l.errors().stream().map(e -> e.toString().replace(dir.toString() + "/", "")).toList();
    }

    private static final String USERS = """
            gw:George Washington
            tj:Thomas Jefferson
            bf:Benjamin Franklin
            """;

    /** An aliases file grown over years: continuations, comments, quotes, mixed case, owner- lists. */
    private static final String TRICKY = """
            # /etc/aliases
            #	Basic system aliases -- these MUST be present.
            MAILER-DAEMON:	postmaster
            postmaster:	root

            # a list over several lines; the indented comment is skipped
            staff: gw,
            	tj,
                # tj's deputy is not on the list yet
                bf
            "help desk": gw
            Sales: bf,tj , gw
            owner-staff: gw
            remote: someone@remote.test, <other@remote.test>
            nested: staff, remote, "tj"@mail.example.com
            root: gw
            """;

    @Test
    void parsesWhatRealSitesWrite() throws Exception {
        FileDirectory.Loaded l = load(USERS, TRICKY);
        assertThat(errors(l)).isEmpty();
        FileDirectory d = l.directory();
        assertThat(d.alias("staff").orElseThrow().targets()).containsExactly("gw", "tj", "bf");
        assertThat(d.alias("staff").orElseThrow().source()).isEqualTo("aliases:7");
        assertThat(d.alias("help desk").orElseThrow().targets()).containsExactly("gw");
        assertThat(d.alias("SALES")).isPresent();
        assertThat(d.alias("sales").orElseThrow().targets()).containsExactly("bf", "tj", "gw");
        assertThat(d.alias("Mailer-Daemon").orElseThrow().targets()).containsExactly("postmaster");
        assertThat(d.alias("owner-staff")).isPresent();
        assertThat(d.alias("remote").orElseThrow().targets()).containsExactly("someone@remote.test", "<other@remote.test>");
        assertThat(d.aliasCount()).isEqualTo(9);
        assertThat(d.user("GW")).isPresent();
    }

    @Test
    void crlfFilesReadLikeLfFiles() throws Exception {
        FileDirectory lf = load(USERS, TRICKY).directory();
        FileDirectory crlf = load(USERS.replace("\n", "\r\n"), TRICKY.replace("\n", "\r\n")).directory();
        for (String name : List.of("staff", "help desk", "sales", "remote", "nested", "mailer-daemon")) {
            assertThat(crlf.alias(name)).as(name).isEqualTo(lf.alias(name));
        }
        assertThat(crlf.user("tj")).isEqualTo(lf.user("tj"));
    }

    @Test
    void expandsAsSendmailDoes() throws Exception {
        FileDirectory d = load(USERS, TRICKY).directory();
        Expander x = new Expander(d, DOMAINS);
        // the list is handed on last member first: sendmail's EXPN order
        assertThat(users(x.run("staff", Expander.Mode.EXPAND))).containsExactly("bf", "tj", "gw");
        // locals first, remote ones after, sorted by host; duplicates once
        assertThat(users(x.run("nested", Expander.Mode.EXPAND)))
                .containsExactly("tj", "bf", "gw", "other@remote.test", "someone@remote.test");
        // postmaster -> root -> gw: root is an alias here, so no user root is needed
        assertThat(users(x.run("mailer-daemon", Expander.Mode.EXPAND))).containsExactly("gw");
    }

    private static List<String> users(Expansion x) {
        assertThat(x.problems()).isEmpty();
        return x.entries().stream().map(Expansion.Entry::user).toList();
    }

    @Test
    void includesRelativeAndAbsoluteWithTheirOwnErrors() throws Exception {
        Files.createDirectories(dir.resolve("lists"));
        Files.writeString(dir.resolve("lists/team"), "# the team\ngw, tj\n\nbf\n");
        Path abs = dir.resolve("abs.list");
        Files.writeString(abs, "tj\n");
        FileDirectory.Loaded ok = load(USERS, "team: :include:lists/team\nabs: :include:" + abs + "\n");
        assertThat(errors(ok)).isEmpty();
        Expander x = new Expander(ok.directory(), DOMAINS);
        // one list per line, lines in file order, each line last member first
        assertThat(users(x.run("team", Expander.Mode.EXPAND))).containsExactly("tj", "gw", "bf");
        assertThat(users(x.run("abs", Expander.Mode.EXPAND))).containsExactly("tj");
        assertThat(ok.inputs()).contains(dir.resolve("lists/team"), abs);

        Files.writeString(dir.resolve("lists/bad"), "gw\n<tj\n\"|/bin/sh\"\n");
        FileDirectory.Loaded bad = load(USERS, "team: gw\nbad: :include:lists/bad\nmissing: :include:nowhere\n");
        assertThat(errors(bad)).containsExactly(
                "lists/bad:2: \"<tj\": unbalanced '<'",
                "lists/bad:3: \"\"|/bin/sh\"\": program targets are refused (set directory.allow_program_targets = true"
                        + " to accept them; Tacit never runs them)",
                "aliases:3: cannot open nowhere: no such file");
        assertThat(bad.directory()).isNull();
    }

    @Test
    void includeLoopsAreErrors() throws Exception {
        Files.writeString(dir.resolve("a.list"), ":include:b.list\n");
        Files.writeString(dir.resolve("b.list"), "gw, :include:a.list\n");
        FileDirectory.Loaded l = load(USERS, "a: :include:a.list\n");
        assertThat(errors(l)).singleElement().asString().startsWith("b.list:1: include loop: ");
    }

    @Test
    void programAndFileTargetsOnlyWhenAllowed() throws Exception {
        String aliases = "pipe: \"|/usr/bin/procmail\"\narchive: /var/mail/archive, gw\n";
        assertThat(errors(load(USERS, aliases))).containsExactly(
                "aliases:1: \"\"|/usr/bin/procmail\"\": program targets are refused (set directory.allow_program_targets = true"
                        + " to accept them; Tacit never runs them)",
                "aliases:2: \"/var/mail/archive\": file targets are refused (set directory.allow_file_targets = true"
                        + " to accept them; Tacit never writes them)");
        FileDirectory.Loaded allowed = load(USERS, aliases, new Expander.Options(10, true, true));
        assertThat(errors(allowed)).isEmpty();
        Expansion x = new Expander(allowed.directory(), DOMAINS, new Expander.Options(10, true, true)).run("pipe, archive",
                Expander.Mode.EXPAND);
        assertThat(x.entries()).extracting(Expansion.Entry::user).containsExactly("gw", "/var/mail/archive", "|/usr/bin/procmail");
        assertThat(x.targets()).contains(new Target.Program("/usr/bin/procmail"), new Target.File("/var/mail/archive"));
    }

    @Test
    void reportsEveryErrorWithItsLine() throws Exception {
        String aliases = """
                	gw
                staff gw, tj
                dup: gw
                Dup: tj
                empty:
                bad: gw, <tj, bf
                remote@remote.test: gw
                ok: gw@
                """;
        assertThat(errors(load(USERS, aliases))).containsExactly(
                "aliases:1: continuation line without an alias before it",
                "aliases:2: missing colon",
                "aliases:4: alias \"dup\" is defined twice (first at line 3)",
                "aliases:5: alias \"empty\" has no targets",
                "aliases:6: \"<tj, bf\": unbalanced '<'",
                "aliases:7: \"remote@remote.test\": cannot alias non-local names",
                "aliases:8: \"gw@\": host name required after '@'");
    }

    @Test
    void usersInBothFormats() throws Exception {
        String users = """
                # Tacit format
                gw:George Washington
                br:Ross, Betsy:boxes/betsy
                anon:
                # passwd(5)
                js:x:1004:1004:& Smith,Room 101,555-0100:/home/js:/bin/bash
                nofn:x:1005:1005::/home/nofn:/bin/bash
                aa:x:1007:1007:Abigail Adams,,,:/home/aa:/bin/bash
                """;
        FileDirectory.Loaded l = load(users, "");
        assertThat(errors(l)).isEmpty();
        FileDirectory d = l.directory();
        assertThat(d.user("gw").orElseThrow().fullName()).isEqualTo("George Washington");
        assertThat(d.user("br").orElseThrow()).isEqualTo(new User("br", "Ross, Betsy", Path.of("boxes/betsy")));
        assertThat(d.user("anon").orElseThrow().fullName()).isNull();
        assertThat(d.user("js").orElseThrow().fullName()).isEqualTo("Js Smith");
        assertThat(d.user("nofn").orElseThrow().fullName()).isNull();
        assertThat(d.user("aa").orElseThrow().fullName()).isEqualTo("Abigail Adams");
    }

    @Test
    void usersFileErrors() throws Exception {
        String users = "gw\nx:y:z:w\ngw:George\nGW:Again\nbad login:x\n|cmd:x\n";
        assertThat(errors(load(users, ""))).containsExactly(
                "users:1: expected login:Full Name[:mailbox] or a passwd(5) line of 7 fields, found 1 field",
                "users:2: expected login:Full Name[:mailbox] or a passwd(5) line of 7 fields, found 4 fields",
                "users:4: user \"GW\" is defined twice (first at line 3)",
                "users:5: login \"bad login\" contains '\\x20'",
                "users:6: login \"|cmd\" must not start with '|'");
    }

    @Test
    void missingFilesAreEmpty() {
        FileDirectory.Loaded l = FileDirectory.load(dir.resolve("no-users"), dir.resolve("no-aliases"), DOMAINS, Expander.Options.DEFAULT);
        assertThat(l.ok()).isTrue();
        assertThat(l.directory().userCount()).isZero();
    }

    /** A 10,000-member list, written on one logical line and as an include file, expands whole. */
    @Test
    void tenThousandMemberLists() throws Exception {
        StringBuilder users = new StringBuilder();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            names.add("u" + i);
            users.append("u").append(i).append(":User ").append(i).append('\n');
        }
        // continuation lines of 100 members each, as a generated aliases file would have them
        String list = IntStream.range(0, 100).mapToObj(k -> String.join(", ", names.subList(k * 100, k * 100 + 100)))
                .collect(Collectors.joining(",\n\t"));
        Files.writeString(dir.resolve("big.list"), String.join("\n", names) + "\n");
        FileDirectory.Loaded l = load(users.toString(), "big: " + list + "\nbiginc: :include:big.list\n");
        assertThat(errors(l)).isEmpty();
        assertThat(l.directory().alias("big").orElseThrow().targets()).hasSize(10_000);
        Expander x = new Expander(l.directory(), DOMAINS);
        List<String> big = users(x.run("big", Expander.Mode.EXPAND));
        assertThat(big).hasSize(10_000);
        assertThat(big.get(0)).isEqualTo("u9999"); // last member first
        assertThat(big.get(9_999)).isEqualTo("u0");
        List<String> inc = users(x.run("biginc", Expander.Mode.EXPAND));
        assertThat(inc).isEqualTo(names); // one member per line: file order
    }
}
