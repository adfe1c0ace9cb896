package dev.tacit.directory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The result of resolving an address list as sendmail does: the live entries in sendmail's order
 * (what VRFY/EXPN list and what gets delivered), the first error (the one sendmail replies with), every
 * problem met (for logs and {@code tacit expand}), and the tree of what led where.
 */
public record Expansion(List<Entry> entries, Problem firstError, List<Problem> problems, List<Node> tree) {

    public Expansion {
        entries = List.copyOf(entries);
        problems = List.copyOf(problems);
        tree = List.copyOf(tree);
    }

    public boolean ok() {
        return firstError == null;
    }

    /** The delivery targets of the entries (aliases reported by VRFY have none). */
    public List<Target> targets() {
        List<Target> out = new ArrayList<>();
        for (Entry e : entries) {
            if (e.target() != null) {
                out.add(e.target());
            }
        }
        return out;
    }

    public enum Kind { LOCAL, ALIAS, REMOTE, PROGRAM, FILE }

    /**
     * One live entry. {@code user} is how sendmail shows it: a local name in lower case with its
     * backslash if it had one ({@code \nofn}), {@code someone@remote.test}, {@code |/bin/cat}.
     */
    public record Entry(Kind kind, String user, String fullName, Target target) {}

    /** What went wrong with one address; {@code typed} is the address as written where it appeared. */
    public sealed interface Problem {
        String typed();

        /** No user or alias by that name. */
        record Unknown(String typed) implements Problem {}

        /** An address whose expansion ends nowhere, every path looping back. */
        record LoopBroken(String typed) implements Problem {}

        /** Alias nesting beyond the limit. */
        record TooDeep(String typed, int level, int max) implements Problem {}

        /** A program, file or include named by the client instead of by an alias; what = "programs", ... */
        record NotDirect(String typed, String what) implements Problem {}

        /** A |program or /file target while directory.allow_*_targets is off. */
        record Disabled(String typed) implements Problem {}

        /** Bad syntax in an alias target or a VRFY/EXPN argument. */
        record Syntax(AddressParser.Invalid invalid) implements Problem {
            @Override
            public String typed() {
                return invalid.typed();
            }
        }

        /** An :include: file this backend cannot supply. */
        record IncludeMissing(String typed, String path) implements Problem {}
    }

    public enum State { LIVE, EXPANDED, INCLUDED, BAD, DUPLICATE, SKIPPED }

    /** One address met while expanding, with what it became and what it led to. */
    public static final class Node {
        private final AddressParser.Parsed address;
        private final int level;
        private final List<Node> children = new ArrayList<>();
        final Node parent;
        State state = State.LIVE;
        String fullName;
        String source;
        Problem problem;
        User user;
        boolean selfRef;
        boolean done;

        Node(AddressParser.Parsed address, Node parent, int level) {
            this.address = address;
            this.parent = parent;
            this.level = level;
        }

        public AddressParser.Parsed address() {
            return address;
        }

        public int level() {
            return level;
        }

        public State state() {
            return state;
        }

        /** The user's full name, for local users that have one. */
        public String fullName() {
            return fullName;
        }

        /** Where the alias this node expanded through was defined, or null. */
        public String source() {
            return source;
        }

        /** Why this node is BAD, or null. */
        public Problem problem() {
            return problem;
        }

        public List<Node> children() {
            return Collections.unmodifiableList(children);
        }

        void add(Node child) {
            children.add(child);
        }
    }
}
