package dev.tacit.directory;

import dev.tacit.directory.AddressParser.FileTarget;
import dev.tacit.directory.AddressParser.Include;
import dev.tacit.directory.AddressParser.Invalid;
import dev.tacit.directory.AddressParser.Local;
import dev.tacit.directory.AddressParser.Parsed;
import dev.tacit.directory.AddressParser.Program;
import dev.tacit.directory.AddressParser.Remote;
import dev.tacit.directory.Expansion.Entry;
import dev.tacit.directory.Expansion.Kind;
import dev.tacit.directory.Expansion.Node;
import dev.tacit.directory.Expansion.Problem;
import dev.tacit.directory.Expansion.State;
import dev.tacit.smtp.MailAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * sendmail's alias semantics on top of any {@link Directory} (sendmail-privacy.md 6; observed on
 * sendmail 8.17 by the directory oracle, src/test/resources/oracle-directory):
 *
 * <ul>
 *   <li>Elements of a list are parsed in the order written (the first syntax error wins), then handed
 *       on last element first; expansion is depth first.
 *   <li>Every address goes into one queue kept sorted by host, local ones first; entries with the same
 *       host stay in arrival order. A second arrival of the same address is dropped. That queue order is
 *       the order of VRFY/EXPN lines and of deliveries.
 *   <li>An alias that lists itself (directly, or through a loop that passes a real user) is delivered
 *       to the user of that name; a loop through aliases only is dropped, and when nothing deliverable
 *       is left the result is "aliasing/forwarding loop broken". Nesting deeper than
 *       {@code max_alias_depth} (sendmail's MaxAliasRecursion, 10) is an error.
 *   <li>{@code \name} is the user, never an alias. {@code :include:} files add one list per line, in
 *       file order. {@code |program} and {@code /file} are accepted only from aliases and only when
 *       enabled; named directly they are refused. {@code postmaster} always exists (RFC 5321 4.5.1).
 * </ul>
 *
 * <p>Modes: VERIFY (VRFY and RCPT: aliases are not expanded, sendmail's "verify only"), EXPAND (EXPN:
 * the first error ends everything, as sendmail's QuickAbort does) and DELIVER (what an accepted
 * recipient is delivered to: every problem is recorded, the rest still delivered).
 *
 * <p>Security: the answer to an EXPN is exactly the membership of a list; the policy decides whether a
 * client may ask. Program and file targets are never run here.
 *
 * <p>Config keys: directory.max_alias_depth, directory.allow_program_targets,
 * directory.allow_file_targets.
 */
public final class Expander {

    /** sendmail's MaxAliasRecursion default. */
    public static final int MAX_DEPTH = 10;

    /** Lists this long or longer are looked up in one batch per backend call. */
    private static final int BATCH = 8;

    public record Options(int maxDepth, boolean allowPrograms, boolean allowFiles) {
        public static final Options DEFAULT = new Options(MAX_DEPTH, false, false);
    }

    public enum Mode { VERIFY, EXPAND, DELIVER }

    private final Directory directory;
    private final LocalDomains domains;
    private final Options options;
    private final AddressParser parser;

    public Expander(Directory directory, LocalDomains domains) {
        this(directory, domains, Options.DEFAULT);
    }

    public Expander(Directory directory, LocalDomains domains, Options options) {
        this.directory = directory;
        this.domains = domains;
        this.options = options;
        this.parser = new AddressParser(domains);
    }

    public LocalDomains domains() {
        return domains;
    }

    /** Resolves a comma-separated list (a VRFY/EXPN argument, or an address for {@code tacit expand}). */
    public Expansion run(String list, Mode mode) throws DirectoryUnavailableException {
        return run(parser.parseList(list), mode);
    }

    public Expansion run(List<Parsed> elements, Mode mode) throws DirectoryUnavailableException {
        Run r = new Run(mode);
        r.top(elements);
        return r.result();
    }

    /** One RCPT address already parsed by the SMTP layer; {@code echo} is the path as the client wrote it. */
    public Expansion run(String echo, MailAddress address, Mode mode) throws DirectoryUnavailableException {
        return run(List.of(parser.fromMailAddress(echo, address)), mode);
    }

    /** How a RCPT address is read before any lookup: a local name, a program, a file, an include, a syntax error. */
    public Parsed parse(String echo, MailAddress address) {
        return parser.fromMailAddress(echo, address);
    }

    /** One resolution of a list: the sendmail queue, the lookups made so far, the errors met. */
    private final class Run {
        private final Mode mode;
        /** sendmail's send queue: host ("" for local, program, file) to the addresses in arrival order. */
        private final TreeMap<String, List<Node>> queue = new TreeMap<>();
        private final Map<String, List<Node>> byKey = new HashMap<>();
        private final List<Node> roots = new ArrayList<>();
        private final List<Problem> problems = new ArrayList<>();
        private final Map<String, Optional<User>> users = new HashMap<>();
        private final Map<String, Optional<Alias>> aliases = new HashMap<>();
        private Problem first;

        Run(Mode mode) {
            this.mode = mode;
        }

        private boolean aborted() {
            return first != null && mode != Mode.DELIVER;
        }

        private void problem(Node n, Problem p) {
            if (n != null) {
                n.state = State.BAD;
                n.problem = p;
            }
            problems.add(p);
            if (first == null) {
                first = p;
            }
        }

        void top(List<Parsed> elements) throws DirectoryUnavailableException {
            List<Node> nodes = new ArrayList<>();
            for (Parsed p : elements) {
                Node n = new Node(p, null, 0);
                roots.add(n);
                if (p instanceof Invalid inv) {
                    problem(n, new Problem.Syntax(inv));
                    if (aborted()) {
                        return;
                    }
                    continue;
                }
                nodes.add(n);
            }
            prefetch(nodes);
            for (int i = nodes.size() - 1; i >= 0 && !aborted(); i--) {
                Node n = nodes.get(i);
                int before = problems.size();
                Node kept = recipient(n);
                if (kept == n && isDead(n) && problems.size() == before && !anyLive()) {
                    problem(null, new Problem.LoopBroken(n.address().typed()));
                }
            }
        }

        /** sendmail's sendtolist: parse in order, check self references, hand on last first. */
        private void sendToList(List<Parsed> list, Node ctl, int level) throws DirectoryUnavailableException {
            List<Node> accepted = new ArrayList<>();
            for (Parsed p : list) {
                Node a = new Node(p, ctl, level);
                ctl.add(a);
                if (p instanceof Invalid inv) {
                    problem(a, new Problem.Syntax(inv));
                    if (aborted()) {
                        return;
                    }
                    continue;
                }
                if (same(ctl, a)) {
                    ctl.selfRef = true;
                }
                Node b = selfReference(a);
                if (b != null) {
                    b.selfRef = true;
                    if (b != a) {
                        a.state = State.SKIPPED;
                        continue;
                    }
                }
                accepted.add(a);
            }
            prefetch(accepted);
            for (int i = accepted.size() - 1; i >= 0 && !aborted(); i--) {
                recipient(accepted.get(i));
            }
        }

        /**
         * An address that loops back to one of its ancestors: the one to keep is the first on the
         * way up that is a real user; null when none is (the loop is then broken by duplicate removal).
         */
        private Node selfReference(Node a) throws DirectoryUnavailableException {
            Node b = a.parent;
            while (b != null && !same(a, b)) {
                b = b.parent;
            }
            if (b == null) {
                return null;
            }
            for (Node c = a; c != null; c = c.parent) {
                if (c.address() instanceof Local l && !l.noAlias() && lookupUser(l.user()).isPresent()) {
                    return same(b, c) ? b : c;
                }
            }
            return null;
        }

        /** sendmail's recipient(): queue the address, then alias it, include it or find the user. */
        private Node recipient(Node a) throws DirectoryUnavailableException {
            Parsed p = a.address();
            if (a.level() > options.maxDepth()) {
                problem(a, new Problem.TooDeep(p.typed(), a.level(), options.maxDepth()));
                if (a.parent != null) {
                    a.parent.state = State.BAD;
                }
                return a;
            }
            List<Node> same = byKey.computeIfAbsent(key(p), k -> new ArrayList<>(1));
            // A top-level address still being expanded is not yet a duplicate (sendmail's QPRIMARY
            // without QRCPTOK), so a list that loops back to it queues it a second time.
            for (Node existing : same) {
                if (existing.done || existing.level() > 0) {
                    a.state = State.DUPLICATE;
                    return existing;
                }
            }
            same.add(a);
            queue.computeIfAbsent(host(p), h -> new ArrayList<>()).add(a);
            switch (p) {
                case Program prog -> directTarget(a, prog.typed(), "programs", options.allowPrograms());
                case FileTarget f -> directTarget(a, f.typed(), "files", options.allowFiles());
                case Include inc -> include(a, inc);
                case Remote r -> { }
                case Local l -> local(a, l);
                case Invalid inv -> problem(a, new Problem.Syntax(inv));
            }
            a.done = true;
            return a;
        }

        private void directTarget(Node a, String typed, String what, boolean allowed) {
            if (a.parent == null) {
                problem(a, new Problem.NotDirect(typed, what));
            } else if (!allowed) {
                problem(a, new Problem.Disabled(typed));
            }
        }

        private void include(Node a, Include inc) throws DirectoryUnavailableException {
            if (a.parent == null) {
                problem(a, new Problem.NotDirect(inc.typed(), ":include:s"));
                return;
            }
            Optional<List<String>> lines = directory.include(inc.path());
            if (lines.isEmpty()) {
                problem(a, new Problem.IncludeMissing(inc.typed(), inc.path()));
                return;
            }
            a.state = State.INCLUDED;
            for (String line : lines.get()) {
                sendToList(parser.parseList(line), a, a.level() + 1);
                if (aborted()) {
                    return;
                }
            }
        }

        private void local(Node a, Local l) throws DirectoryUnavailableException {
            if (!l.noAlias()) {
                Optional<Alias> alias = lookupAlias(l.user());
                if (alias.isPresent()) {
                    if (mode == Mode.VERIFY) {
                        return; // verify only: the alias exists, shown as <name@host>
                    }
                    a.source = alias.get().source();
                    a.state = State.EXPANDED;
                    List<Parsed> targets = new ArrayList<>();
                    for (String t : alias.get().targets()) {
                        targets.addAll(parser.parseList(t));
                    }
                    sendToList(targets, a, a.level() + 1);
                    if (aborted() || !a.selfRef || a.state != State.EXPANDED) {
                        return;
                    }
                    a.state = State.LIVE; // lists itself: also the user of that name
                }
            }
            Optional<User> u = lookupUser(l.login());
            if (u.isEmpty() && l.login().equals("postmaster")) {
                u = Optional.of(new User("postmaster", null, null)); // RFC 5321 4.5.1
            }
            if (u.isEmpty()) {
                problem(a, new Problem.Unknown(l.typed()));
                return;
            }
            a.user = u.get();
            a.fullName = u.get().fullName();
        }

        private Optional<User> lookupUser(String login) throws DirectoryUnavailableException {
            if (login.isEmpty()) {
                return Optional.empty();
            }
            Optional<User> u = users.get(login);
            if (u == null) {
                u = directory.user(login);
                users.put(login, u);
            }
            return u;
        }

        private Optional<Alias> lookupAlias(String name) throws DirectoryUnavailableException {
            if (name.isEmpty()) {
                return Optional.empty();
            }
            Optional<Alias> a = aliases.get(name);
            if (a == null) {
                a = directory.alias(name);
                aliases.put(name, a);
            }
            return a;
        }

        /** Big lists: ask the backend for all their names at once instead of one by one. */
        private void prefetch(List<Node> nodes) throws DirectoryUnavailableException {
            if (nodes.size() < BATCH) {
                return;
            }
            Set<String> aliasNames = new LinkedHashSet<>();
            Set<String> logins = new LinkedHashSet<>();
            for (Node n : nodes) {
                if (n.address() instanceof Local l && !l.login().isEmpty()) {
                    if (!l.noAlias() && !aliases.containsKey(l.user())) {
                        aliasNames.add(l.user());
                    }
                    if (!users.containsKey(l.login())) {
                        logins.add(l.login());
                    }
                }
            }
            if (!aliasNames.isEmpty()) {
                Map<String, Alias> found = directory.aliases(aliasNames);
                for (String n : aliasNames) {
                    aliases.put(n, Optional.ofNullable(found.get(n)));
                }
            }
            if (!logins.isEmpty()) {
                Map<String, User> found = directory.users(logins);
                for (String n : logins) {
                    users.put(n, Optional.ofNullable(found.get(n)));
                }
            }
        }

        private boolean anyLive() {
            for (List<Node> group : queue.values()) {
                for (Node n : group) {
                    if (!isDead(n)) {
                        return true;
                    }
                }
            }
            return false;
        }

        Expansion result() {
            List<Entry> entries = new ArrayList<>();
            if (first == null || mode == Mode.DELIVER) {
                for (List<Node> group : queue.values()) {
                    for (Node n : group) {
                        if (!isDead(n)) {
                            entries.add(entry(n));
                        }
                    }
                }
            }
            return new Expansion(entries, first, problems, roots);
        }

        private Entry entry(Node n) {
            return switch (n.address()) {
                case Local l -> n.user == null
                        ? new Entry(Kind.ALIAS, l.user(), null, null)
                        : new Entry(Kind.LOCAL, l.user(), n.fullName, new Target.Local(n.user));
                case Remote r -> new Entry(Kind.REMOTE, r.address(), null, new Target.Remote(r.address()));
                case Program p -> new Entry(Kind.PROGRAM, p.command(), null, new Target.Program(p.command().substring(1)));
                case FileTarget f -> new Entry(Kind.FILE, f.path(), null, new Target.File(f.path()));
                case Include i -> throw new IllegalStateException("an :include: is never delivered itself");
                case Invalid i -> throw new IllegalStateException("invalid address queued");
            };
        }
    }

    private static boolean isDead(Node n) {
        return n.state != State.LIVE;
    }

    /** sendmail's sameaddr, as a key: same kind of target and same user (host without regard to case). */
    private static String key(Parsed p) {
        return switch (p) {
            case Local l -> "l:" + l.user();
            case Remote r -> "r:" + r.host() + ":" + r.address();
            case Program prog -> "p:" + prog.command();
            case FileTarget f -> "f:" + f.path();
            case Include i -> "i:" + i.path();
            case Invalid i -> "x:" + i.typed();
        };
    }

    private static boolean same(Node a, Node b) {
        return key(a.address()).equals(key(b.address()));
    }

    /** sendmail sorts its queue by host, case-insensitively; local deliveries have none. */
    private static String host(Parsed p) {
        return p instanceof Remote r ? r.host() : "";
    }
}
