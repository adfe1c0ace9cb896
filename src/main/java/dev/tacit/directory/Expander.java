package dev.tacit.directory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * sendmail's alias semantics on top of any {@link Directory}: recursive expansion, duplicates
 * removed, a name that lists itself delivered to the user of that name, loops and excessive depth
 * reported (never followed), {@code \name} bypassing aliases, and {@code postmaster} always present
 * (RFC 5321 4.5.1).
 */
public final class Expander {

    /** sendmail's MAXRCRSN. */
    public static final int MAX_DEPTH = 10;

    private final Directory directory;
    private final LocalDomains domains;

    public Expander(Directory directory, LocalDomains domains) {
        this.directory = directory;
        this.domains = domains;
    }

    public LocalDomains domains() {
        return domains;
    }

    /** A user by login: exact match first, then lower case (sendmail, local mailer without F=u). */
    public Optional<User> user(String login) throws DirectoryUnavailableException {
        Optional<User> u = directory.user(login);
        if (u.isEmpty()) {
            String lower = login.toLowerCase(Locale.ROOT);
            if (!lower.equals(login)) {
                u = directory.user(lower);
            }
        }
        if (u.isEmpty() && login.equalsIgnoreCase("postmaster")) {
            u = Optional.of(new User("postmaster", null, null));
        }
        return u;
    }

    public Resolution resolve(String localPart) throws DirectoryUnavailableException {
        String name = unquote(localPart);
        if (name.startsWith("\\")) {
            return user(name.substring(1)).<Resolution>map(Resolution.IsUser::new).orElse(new Resolution.Unknown(name));
        }
        Optional<Alias> a = directory.alias(name.toLowerCase(Locale.ROOT));
        if (a.isPresent()) {
            return new Resolution.IsAlias(a.get());
        }
        return user(name).<Resolution>map(Resolution.IsUser::new).orElse(new Resolution.Unknown(name));
    }

    public Expansion expand(String address) throws DirectoryUnavailableException {
        Map<String, Target> out = new LinkedHashMap<>();
        List<Expansion.Problem> problems = new ArrayList<>();
        expandInto(address, new ArrayDeque<>(), out, problems);
        return new Expansion(List.copyOf(out.values()), problems);
    }

    private void expandInto(String address, Deque<String> chain, Map<String, Target> out, List<Expansion.Problem> problems)
            throws DirectoryUnavailableException {
        String a = address.strip();
        if (a.startsWith("<") && a.endsWith(">")) {
            a = a.substring(1, a.length() - 1).strip();
        }
        if (a.startsWith("|")) {
            out.putIfAbsent("prog:" + a, new Target.Program(a.substring(1)));
            return;
        }
        if (a.startsWith("/")) {
            out.putIfAbsent("file:" + a, new Target.File(a));
            return;
        }
        String name = a;
        int at = a.lastIndexOf('@');
        if (at >= 0 && !a.endsWith("\"")) {
            String domain = a.substring(at + 1);
            if (!domains.isLocal(domain)) {
                out.putIfAbsent("remote:" + a.toLowerCase(Locale.ROOT), new Target.Remote(a));
                return;
            }
            name = a.substring(0, at);
        }
        name = unquote(name);
        boolean noAlias = name.startsWith("\\");
        if (noAlias) {
            name = name.substring(1);
        }
        String key = name.toLowerCase(Locale.ROOT);
        if (!noAlias) {
            Optional<Alias> alias = directory.alias(key);
            if (alias.isPresent()) {
                if (chain.contains(key)) {
                    List<String> loop = new ArrayList<>(chain);
                    java.util.Collections.reverse(loop);
                    loop.add(key);
                    problems.add(new Expansion.Problem.Loop(loop));
                    return;
                }
                if (chain.size() >= MAX_DEPTH) {
                    problems.add(new Expansion.Problem.TooDeep(name, chain.size()));
                    return;
                }
                chain.push(key);
                for (String t : alias.get().targets()) {
                    if (localName(t).equals(key)) {
                        deliverToUser(name, out, problems);
                    } else {
                        expandInto(t, chain, out, problems);
                    }
                }
                chain.pop();
                return;
            }
        }
        deliverToUser(name, out, problems);
    }

    private void deliverToUser(String name, Map<String, Target> out, List<Expansion.Problem> problems)
            throws DirectoryUnavailableException {
        Optional<User> u = user(name);
        if (u.isPresent()) {
            out.putIfAbsent("local:" + u.get().login(), new Target.Local(u.get()));
        } else {
            problems.add(new Expansion.Problem.Unknown(name));
        }
    }

    /** The lower-case local name of a target that is local, or "" for anything else. */
    private String localName(String target) {
        String t = target.strip();
        if (t.startsWith("\\") || t.startsWith("|") || t.startsWith("/")) {
            return "";
        }
        int at = t.lastIndexOf('@');
        if (at >= 0) {
            if (!domains.isLocal(t.substring(at + 1))) {
                return "";
            }
            t = t.substring(0, at);
        }
        return unquote(t).toLowerCase(Locale.ROOT);
    }

    static String unquote(String s) {
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            return s.substring(1, s.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        return s;
    }
}
