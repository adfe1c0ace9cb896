package dev.tacit.directory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The embedded default: a users file ({@code login:Full Name[:mailbox]} or passwd(5)) and a sendmail
 * aliases(5) file, held in memory.
 */
public final class FileDirectory implements Directory {

    private final Map<String, User> users;
    private final Map<String, Alias> aliases;

    public FileDirectory(Map<String, User> users, Map<String, Alias> aliases) {
        this.users = Map.copyOf(users);
        this.aliases = Map.copyOf(aliases);
    }

    public static FileDirectory load(Path usersFile, Path aliasesFile) throws IOException {
        return new FileDirectory(readUsers(usersFile), readAliases(aliasesFile));
    }

    @Override
    public Optional<User> user(String login) {
        return Optional.ofNullable(users.get(login));
    }

    @Override
    public Optional<Alias> alias(String name) {
        return Optional.ofNullable(aliases.get(name.toLowerCase(Locale.ROOT)));
    }

    public int userCount() {
        return users.size();
    }

    public int aliasCount() {
        return aliases.size();
    }

    static Map<String, User> readUsers(Path file) throws IOException {
        Map<String, User> out = new HashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            return out;
        }
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(":", -1);
            String login = f[0].strip();
            if (login.isEmpty()) {
                continue;
            }
            String fullName;
            Path mailbox = null;
            if (f.length >= 7) { // passwd(5): full name is the first comma field of GECOS
                String gecos = f[4];
                int comma = gecos.indexOf(',');
                fullName = comma >= 0 ? gecos.substring(0, comma) : gecos;
                fullName = fullName.replace("&", login.isEmpty() ? "" : Character.toUpperCase(login.charAt(0)) + login.substring(1));
            } else {
                fullName = f.length > 1 ? f[1].strip() : "";
                if (f.length > 2 && !f[2].isBlank()) {
                    mailbox = Path.of(f[2].strip());
                }
            }
            out.put(login, new User(login, fullName.isBlank() ? null : fullName.strip(), mailbox));
        }
        return out;
    }

    static Map<String, Alias> readAliases(Path file) throws IOException {
        Map<String, Alias> out = new HashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            return out;
        }
        List<String> logical = new ArrayList<>();
        for (String raw : lines) {
            if (raw.startsWith("#") || raw.isBlank()) {
                continue;
            }
            if ((raw.startsWith(" ") || raw.startsWith("\t")) && !logical.isEmpty()) {
                logical.set(logical.size() - 1, logical.get(logical.size() - 1) + " " + raw.strip());
            } else {
                logical.add(raw);
            }
        }
        for (String line : logical) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            List<String> targets = new ArrayList<>();
            for (String t : line.substring(colon + 1).split(",")) {
                if (!t.isBlank()) {
                    targets.add(t.strip());
                }
            }
            out.put(name, new Alias(name, targets));
        }
        return out;
    }
}
