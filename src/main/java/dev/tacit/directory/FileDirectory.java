package dev.tacit.directory;

import dev.tacit.directory.AddressParser.FileTarget;
import dev.tacit.directory.AddressParser.Include;
import dev.tacit.directory.AddressParser.Invalid;
import dev.tacit.directory.AddressParser.Local;
import dev.tacit.directory.AddressParser.Parsed;
import dev.tacit.directory.AddressParser.Program;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The embedded default backend: a users file and a sendmail aliases(5) file, parsed once into
 * immutable maps ({@link ReloadingFileDirectory} swaps in a new one when the files change).
 *
 * <p>Users file: {@code login:Full Name[:mailbox[:password hash]]} or passwd(5) lines (7 fields; the
 * full name is the GECOS field up to the first comma with {@code &} standing for the capitalised
 * login), so a site can point Tacit at its system passwd file. The hash (for AUTH) is one
 * {@link PasswordHash} supports, as {@code tacit passwd} prints it; in a passwd line the second field
 * counts as the hash when it is one. Comments start with {@code #}.
 *
 * <p>Aliases file, as sendmail reads it: {@code name: target, target}; a line that starts with a
 * space or tab continues the previous entry (an indented line starting with {@code #} is skipped);
 * {@code #} comment lines and blank lines end an entry; names are case-insensitive and may be quoted;
 * {@code name@host} is allowed when host is local. Targets are local names, other aliases, remote
 * addresses, {@code :include:path} (relative to the aliases file's folder, or absolute), and, only
 * when enabled, {@code |program} and {@code /file}. Included files are read at load time, one list per
 * line, and their own errors carry their own name and line. CRLF line ends are accepted.
 *
 * <p>Security: program and file targets are how an aliases file becomes code execution; they are
 * refused unless a config key allows them, and even then Tacit never runs them.
 *
 * <p>Config keys: users_file, aliases_file, directory.allow_program_targets,
 * directory.allow_file_targets.
 */
public final class FileDirectory implements Directory {

    /** Files larger than this are refused rather than read into memory. */
    static final long MAX_FILE_BYTES = 256L * 1024 * 1024;

    private final Map<String, User> users;
    private final Map<String, Alias> aliases;
    private final Map<Path, List<String>> includes;
    private final Path aliasesDir;
    private final Map<String, String> hashes;

    private FileDirectory(Map<String, User> users, Map<String, Alias> aliases, Map<Path, List<String>> includes, Path aliasesDir,
            Map<String, String> hashes) {
        this.hashes = Map.copyOf(hashes);
        this.users = Map.copyOf(users);
        this.aliases = Map.copyOf(aliases);
        this.includes = Map.copyOf(includes);
        this.aliasesDir = aliasesDir;
    }

    /** What loading produced: the directory (null when there were errors), the errors, the files read. */
    public record Loaded(FileDirectory directory, List<FileError> errors, List<Path> inputs) {
        public Loaded {
            errors = List.copyOf(errors);
            inputs = List.copyOf(inputs);
        }

        public boolean ok() {
            return errors.isEmpty();
        }
    }

    /** Reads both files; a missing users or aliases file counts as empty, any error means no directory. */
    public static Loaded load(Path usersFile, Path aliasesFile, LocalDomains domains, Expander.Options options) {
        Loader l = new Loader(new AddressParser(domains), options);
        Map<String, User> users = l.readUsers(usersFile);
        Map<String, Alias> aliases = l.readAliases(aliasesFile);
        Path dir = aliasesFile.toAbsolutePath().getParent();
        FileDirectory d = l.errors.isEmpty() ? new FileDirectory(users, aliases, l.includes, dir, l.hashes) : null;
        return new Loaded(d, l.errors, new ArrayList<>(l.inputs));
    }

    @Override
    public Optional<User> user(String login) {
        return Optional.ofNullable(users.get(login.toLowerCase(Locale.ROOT)));
    }

    @Override
    public Optional<Alias> alias(String name) {
        return Optional.ofNullable(aliases.get(name.toLowerCase(Locale.ROOT)));
    }

    @Override
    public Optional<String> passwordHash(String login) {
        return Optional.ofNullable(hashes.get(login.toLowerCase(Locale.ROOT)));
    }

    @Override
    public Map<String, User> users(Collection<String> logins) {
        Map<String, User> out = new HashMap<>();
        for (String l : logins) {
            User u = users.get(l.toLowerCase(Locale.ROOT));
            if (u != null) {
                out.put(l, u);
            }
        }
        return out;
    }

    @Override
    public Map<String, Alias> aliases(Collection<String> names) {
        Map<String, Alias> out = new HashMap<>();
        for (String n : names) {
            Alias a = aliases.get(n.toLowerCase(Locale.ROOT));
            if (a != null) {
                out.put(n, a);
            }
        }
        return out;
    }

    @Override
    public Optional<List<String>> include(String path) {
        return Optional.ofNullable(includes.get(resolve(aliasesDir, path)));
    }

    @Override
    public long userCount() {
        return users.size();
    }

    @Override
    public long aliasCount() {
        return aliases.size();
    }

    /** Every user, for tools that copy a directory elsewhere (tests, benchmarks, imports). */
    public Collection<User> allUsers() {
        return users.values();
    }

    /** Password hashes by lower-case login, for imports into another backend. */
    public Map<String, String> passwordHashes() {
        return hashes;
    }

    public Collection<Alias> allAliases() {
        return aliases.values();
    }

    static Path resolve(Path base, String path) {
        Path p = Path.of(path);
        return (p.isAbsolute() || base == null ? p : base.resolve(p)).toAbsolutePath().normalize();
    }

    /** One load: the errors found so far, the files read, the include files' lines. */
    private static final class Loader {
        private final AddressParser parser;
        private final Expander.Options options;
        private final List<FileError> errors = new ArrayList<>();
        private final Set<Path> inputs = new LinkedHashSet<>();
        private final Map<Path, List<String>> includes = new HashMap<>();
        private final Deque<Path> including = new ArrayDeque<>();
        private final Map<String, String> hashes = new HashMap<>();
        /** Relative :include: paths, in the aliases file and in included files, start here. */
        private Path aliasesDir;

        Loader(AddressParser parser, Expander.Options options) {
            this.parser = parser;
            this.options = options;
        }

        private void error(Path file, int line, String message) {
            errors.add(new FileError(file, line, message));
        }

        /** The file's lines without line ends (LF or CRLF), or null when absent (optional) or unreadable. */
        private List<String> lines(Path file, boolean optional, Path referrer, int referrerLine) {
            inputs.add(file.toAbsolutePath().normalize());
            try {
                if (Files.exists(file) && !Files.isRegularFile(file)) {
                    // /dev/zero or a FIFO would never end (found by fuzzing an :include:)
                    error(referrer != null ? referrer : file, referrer != null ? referrerLine : 0,
                            "cannot read " + file + ": not a regular file");
                    return null;
                }
                if (Files.size(file) > MAX_FILE_BYTES) {
                    error(file, 0, "larger than " + MAX_FILE_BYTES + " bytes; refused");
                    return null;
                }
                // Undecodable bytes (a Latin-1 GECOS) become U+FFFD rather than a load failure.
                String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
                List<String> out = new ArrayList<>();
                for (String l : text.split("\n", -1)) {
                    out.add(l.endsWith("\r") ? l.substring(0, l.length() - 1) : l);
                }
                if (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
                    out.remove(out.size() - 1);
                }
                return out;
            } catch (NoSuchFileException e) {
                if (!optional) {
                    if (referrer != null) {
                        error(referrer, referrerLine, "cannot open " + file + ": no such file");
                    } else {
                        error(file, 0, "no such file");
                    }
                }
                return null;
            } catch (IOException e) {
                error(referrer != null ? referrer : file, referrer != null ? referrerLine : 0,
                        "cannot read " + file + ": " + e.getMessage());
                return null;
            }
        }

        Map<String, User> readUsers(Path file) {
            Map<String, User> out = new HashMap<>();
            Map<String, Integer> firstLine = new HashMap<>();
            List<String> lines = lines(file, true, null, 0);
            if (lines == null) {
                return out;
            }
            for (int i = 0; i < lines.size(); i++) {
                int no = i + 1;
                String line = lines.get(i);
                if (line.isBlank() || line.stripLeading().startsWith("#")) {
                    continue;
                }
                String[] f = line.split(":", -1);
                if (f.length < 2 || f.length > 4 && f.length != 7) {
                    error(file, no, "expected login:Full Name[:mailbox[:password hash]] or a passwd(5) line of 7 fields, found "
                            + f.length + " field" + (f.length == 1 ? "" : "s"));
                    continue;
                }
                String login = f[0].strip();
                String bad = badLogin(login);
                if (bad != null) {
                    error(file, no, bad);
                    continue;
                }
                String fullName;
                Path mailbox = null;
                String hash = null;
                if (f.length == 7) {
                    fullName = User.gecosName(f[4], login);
                    // x, *, ! or a crypt(3) hash Tacit cannot check: no AUTH for this user
                    hash = PasswordHash.supported(f[1]) ? f[1] : null;
                } else {
                    fullName = f[1].strip().isEmpty() ? null : f[1].strip();
                    if (f.length >= 3 && !f[2].isBlank()) {
                        try {
                            mailbox = Path.of(f[2].strip());
                        } catch (InvalidPathException e) {
                            error(file, no, "mailbox \"" + f[2].strip() + "\" is not a valid path: " + e.getReason());
                            continue;
                        }
                    }
                    if (f.length == 4 && !f[3].isBlank()) {
                        hash = f[3].strip();
                        if (!PasswordHash.supported(hash)) {
                            error(file, no, "the password hash of \"" + login + "\" is not an Argon2id or bcrypt hash"
                                    + " (make one with: tacit passwd)");
                            continue;
                        }
                    }
                }
                if (fullName != null && hasControl(fullName)) {
                    // echoed in VRFY/EXPN replies, where a CR would break the reply (found by fuzzing)
                    error(file, no, "the full name of \"" + login + "\" contains a control character");
                    continue;
                }
                String key = login.toLowerCase(Locale.ROOT);
                Integer prev = firstLine.putIfAbsent(key, no);
                if (prev != null) {
                    error(file, no, "user \"" + login + "\" is defined twice (first at line " + prev + ")");
                    continue;
                }
                out.put(key, new User(login, fullName, mailbox));
                if (hash != null) {
                    hashes.put(key, hash);
                }
            }
            return out;
        }

        private static String badLogin(String login) {
            if (login.isEmpty()) {
                return "empty login";
            }
            for (int i = 0; i < login.length(); i++) {
                char c = login.charAt(i);
                if (c <= ' ' || c == 0x7f || "@,<>()\"\\;".indexOf(c) >= 0) {
                    return "login \"" + login + "\" contains '" + (c <= ' ' ? "\\x" + Integer.toHexString(c) : c) + "'";
                }
            }
            if ("|/:".indexOf(login.charAt(0)) >= 0) {
                return "login \"" + login + "\" must not start with '" + login.charAt(0) + "'";
            }
            return null;
        }

        Map<String, Alias> readAliases(Path file) {
            Map<String, Alias> out = new HashMap<>();
            Map<String, Integer> firstLine = new HashMap<>();
            List<String> lines = lines(file, true, null, 0);
            if (lines == null) {
                return out;
            }
            Path dir = file.toAbsolutePath().getParent();
            aliasesDir = dir;
            StringBuilder entry = null;
            int entryLine = 0;
            for (int i = 0; i <= lines.size(); i++) {
                String line = i < lines.size() ? lines.get(i) : null;
                if (line != null && hasControl(line)) {
                    // names and targets are echoed in VRFY/EXPN replies, where a CR would break the reply
                    error(file, i + 1, "contains a control character");
                    continue;
                }
                boolean continuation = line != null && !line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')
                        && !line.isBlank();
                if (continuation && line.stripLeading().startsWith("#")) {
                    continue; // an indented comment inside a list
                }
                if (continuation) {
                    if (entry == null) {
                        error(file, i + 1, "continuation line without an alias before it");
                    } else {
                        entry.append(' ').append(line.strip());
                    }
                    continue;
                }
                if (entry != null) {
                    aliasEntry(file, dir, entryLine, entry.toString(), out, firstLine);
                    entry = null;
                }
                if (line == null || line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                entry = new StringBuilder(line);
                entryLine = i + 1;
            }
            return out;
        }

        private void aliasEntry(Path file, Path dir, int no, String text, Map<String, Alias> out, Map<String, Integer> firstLine) {
            int colon = nameEnd(text);
            if (colon < 0) {
                error(file, no, "missing colon");
                return;
            }
            String lhs = text.substring(0, colon).strip();
            if (lhs.isEmpty()) {
                error(file, no, "empty alias name");
                return;
            }
            Parsed name = parser.parse(lhs);
            String key;
            if (name instanceof Local l && !l.noAlias() && !l.user().isEmpty()) {
                key = l.user();
            } else if (name instanceof AddressParser.Remote) {
                error(file, no, "\"" + lhs + "\": cannot alias non-local names");
                return;
            } else {
                error(file, no, "\"" + lhs + "\": not a valid alias name");
                return;
            }
            Integer prev = firstLine.putIfAbsent(key, no);
            if (prev != null) {
                error(file, no, "alias \"" + key + "\" is defined twice (first at line " + prev + ")");
                return;
            }
            List<Parsed> written = parser.parseList(text.substring(colon + 1));
            if (written.isEmpty()) {
                error(file, no, "alias \"" + key + "\" has no targets");
                return;
            }
            List<String> targets = new ArrayList<>();
            for (Parsed p : written) {
                if (checkTarget(file, dir, no, p)) {
                    targets.add(p.typed());
                }
            }
            out.put(key, new Alias(key, targets, file.getFileName() + ":" + no));
        }

        /** The colon that ends the name: the first one outside a quoted name. */
        private static int nameEnd(String text) {
            boolean quoted = false;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = !quoted;
                } else if (c == ':' && !quoted) {
                    return i;
                }
            }
            return -1;
        }

        /** Validates one target; reads :include: files. False when it is refused. */
        private boolean checkTarget(Path file, Path dir, int no, Parsed p) {
            switch (p) {
                case Invalid inv -> {
                    error(file, no, "\"" + inv.typed() + "\": " + describe(inv));
                    return false;
                }
                case Program prog when !options.allowPrograms() -> {
                    error(file, no, "\"" + prog.typed() + "\": program targets are refused"
                            + " (set directory.allow_program_targets = true to accept them; Tacit never runs them)");
                    return false;
                }
                case FileTarget f when !options.allowFiles() -> {
                    error(file, no, "\"" + f.typed() + "\": file targets are refused"
                            + " (set directory.allow_file_targets = true to accept them; Tacit never writes them)");
                    return false;
                }
                case Include inc -> {
                    Path path;
                    try {
                        path = resolve(dir, inc.path());
                    } catch (InvalidPathException e) {
                        error(file, no, "\"" + inc.typed() + "\": not a valid path: " + e.getReason());
                        return false;
                    }
                    return readInclude(file, no, path);
                }
                default -> {
                    return true;
                }
            }
        }

        private boolean readInclude(Path referrer, int referrerLine, Path path) {
            if (includes.containsKey(path)) {
                return true;
            }
            if (including.contains(path)) {
                error(referrer, referrerLine, "include loop: " + path + " includes itself");
                return false;
            }
            List<String> lines = lines(path, false, referrer, referrerLine);
            if (lines == null) {
                return false;
            }
            including.push(path);
            List<String> kept = new ArrayList<>();
            int before = errors.size();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.isEmpty() || line.charAt(0) == '#') {
                    continue;
                }
                if (hasControl(line)) {
                    error(path, i + 1, "contains a control character");
                    continue;
                }
                for (Parsed p : parser.parseList(line)) {
                    checkTarget(path, aliasesDir, i + 1, p);
                }
                kept.add(line);
            }
            including.pop();
            includes.put(path, List.copyOf(kept));
            return errors.size() == before;
        }

        private static boolean hasControl(String s) {
            return s.chars().anyMatch(c -> (c < 0x20 && c != '\t') || c == 0x7f);
        }

        static String describe(Invalid inv) {
            return switch (inv.syntax()) {
                case UNBALANCED -> "unbalanced '" + inv.bad() + "'";
                case TOKEN_TOO_LONG -> "a word longer than " + AddressParser.MAX_TOKEN + " characters";
                case ADDRESS_TOO_LONG -> "address too long";
                case HOSTNAME_REQUIRED -> "host name required after '@'";
                case USER_REQUIRED -> "user name required before '@'";
            };
        }
    }
}
