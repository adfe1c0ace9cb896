package dev.tacit.directory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files backend as the server runs it: a {@link FileDirectory} that is replaced when the users
 * file, the aliases file or any included file changes (size, modification time or inode). The swap is
 * atomic: a lookup sees the old data or the new, never a mix. A new version with errors is not used;
 * the old data stays in force and every error is logged as {@code file:line: message}.
 *
 * <p>Changes are noticed by polling every {@code directory.reload_interval}; write files by renaming
 * a finished copy over them, as editors and {@code install} do, so a half-written file is never read.
 *
 * <p>Config keys: users_file, aliases_file, directory.reload_interval.
 */
public final class ReloadingFileDirectory implements Directory {

    private static final Logger log = LoggerFactory.getLogger(ReloadingFileDirectory.class);

    private final Path usersFile;
    private final Path aliasesFile;
    private final LocalDomains domains;
    private final Expander.Options options;
    private volatile FileDirectory current;
    private volatile List<FileError> lastErrors = List.of();
    private List<Path> watched;
    private List<Object> stamps;
    private ScheduledExecutorService timer;

    private ReloadingFileDirectory(Path usersFile, Path aliasesFile, LocalDomains domains, Expander.Options options) {
        this.usersFile = usersFile;
        this.aliasesFile = aliasesFile;
        this.domains = domains;
        this.options = options;
    }

    /** Loads the files; throws with every error when the first load fails (the server cannot start). */
    public static ReloadingFileDirectory open(Path usersFile, Path aliasesFile, LocalDomains domains, Expander.Options options)
            throws DirectoryFileException {
        ReloadingFileDirectory d = new ReloadingFileDirectory(usersFile, aliasesFile, domains, options);
        FileDirectory.Loaded l = d.loadNow();
        if (!l.ok()) {
            throw new DirectoryFileException(l.errors());
        }
        return d;
    }

    /** Starts polling for changes (a daemon thread; {@link #close()} stops it). */
    public synchronized void watch(Duration interval) {
        if (timer != null || interval.isZero() || interval.isNegative()) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "directory-reload");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(10, interval.toMillis());
        timer.scheduleWithFixedDelay(() -> {
            try {
                reloadIfChanged();
            } catch (RuntimeException e) {
                log.error("directory reload failed: {}", e.toString());
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Reloads when a watched file changed; true when new data is now in force. */
    public synchronized boolean reloadIfChanged() {
        if (Objects.equals(stamps(watched), stamps)) {
            return false;
        }
        FileDirectory before = current;
        loadNow();
        return current != before;
    }

    private synchronized FileDirectory.Loaded loadNow() {
        List<Object> before = stamps(watchedOr(List.of(usersFile, aliasesFile)));
        FileDirectory.Loaded l = FileDirectory.load(usersFile, aliasesFile, domains, options);
        List<Path> inputs = new ArrayList<>(l.inputs());
        for (Path p : List.of(usersFile.toAbsolutePath().normalize(), aliasesFile.toAbsolutePath().normalize())) {
            if (!inputs.contains(p)) {
                inputs.add(p);
            }
        }
        watched = List.copyOf(inputs);
        // Stamps taken before reading would miss a write during the read; taken after, they could
        // hide one. Use the later stamps only when nothing moved while reading.
        List<Object> after = stamps(watched);
        stamps = watched.size() == before.size() && Objects.equals(before, after) ? after : null;
        lastErrors = l.errors();
        if (l.ok()) {
            boolean reload = current != null;
            current = l.directory();
            if (reload) {
                log.info("directory reloaded: {} users, {} aliases from {} and {}", l.directory().userCount(),
                        l.directory().aliasCount(), usersFile, aliasesFile);
            }
        } else {
            for (FileError e : l.errors()) {
                log.error("{}", e);
            }
            if (current != null) {
                log.error("directory files have {} error(s); the previous version stays in force", l.errors().size());
            }
        }
        return l;
    }

    private List<Path> watchedOr(List<Path> fallback) {
        return watched == null ? fallback : watched;
    }

    private static List<Object> stamps(List<Path> files) {
        if (files == null) {
            return null;
        }
        List<Object> out = new ArrayList<>(files.size());
        for (Path p : files) {
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                out.add(List.of(a.size(), a.lastModifiedTime().toString(), String.valueOf(a.fileKey())));
            } catch (NoSuchFileException e) {
                out.add("absent");
            } catch (IOException e) {
                out.add("unreadable");
            }
        }
        return out;
    }

    /** The errors of the last load attempt; empty when it succeeded. */
    public List<FileError> lastErrors() {
        return lastErrors;
    }

    @Override
    public Optional<User> user(String login) {
        return current.user(login);
    }

    @Override
    public Optional<Alias> alias(String name) {
        return current.alias(name);
    }

    @Override
    public Map<String, User> users(Collection<String> logins) {
        return current.users(logins);
    }

    @Override
    public Map<String, Alias> aliases(Collection<String> names) {
        return current.aliases(names);
    }

    @Override
    public Optional<List<String>> include(String path) {
        return current.include(path);
    }

    @Override
    public long userCount() {
        return current.userCount();
    }

    @Override
    public long aliasCount() {
        return current.aliasCount();
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    /** The files could not be loaded; the message lists every error, one {@code file:line: message} per line. */
    public static final class DirectoryFileException extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient List<FileError> errors;

        public DirectoryFileException(List<FileError> errors) {
            super(String.join("\n", errors.stream().map(FileError::toString).toList()));
            this.errors = List.copyOf(errors);
        }

        public List<FileError> errors() {
            return errors;
        }
    }
}
