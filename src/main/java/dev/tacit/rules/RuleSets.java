package dev.tacit.rules;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A loaded set of rule sets, with the classes and macros they were read with: what
 * {@link RuleFileParser} and {@link SendmailCf} produce and {@link Rewriter} runs. Immutable.
 *
 * <p>Rule sets are numbered as in sendmail: 0 to 99 by number ({@code S3}), named ones
 * ({@code Scheck_vrfy}) from 199 downwards unless given a number ({@code Scanonify=3}). Names are
 * case-sensitive; class words match without regard to case. When the file defines neither
 * {@code canonify} nor rule set 3, the built-in {@link Canonify} answers to both.
 */
public final class RuleSets {

    /** MAXRWSETS. */
    public static final int MAX_SETS = 200;
    /** The built-in canonify's number. */
    public static final int CANONIFY = 3;

    private final String[] names;
    private final List<List<Rule>> rules;
    private final Map<String, Integer> byName;
    private final List<String> declared;
    private final boolean builtinCanonify;
    private final Map<String, Set<String>> classes;
    private final Map<String, Set<String>> classesLower;
    private final Map<String, String> macros;
    private final Tokenizer tokenizer;
    private final char spaceSub;
    private final List<String> warnings;
    private final List<String> errors;
    private final Set<String> declaredMaps;

    private RuleSets(Builder b) {
        this.names = b.names.clone();
        List<List<Rule>> r = new ArrayList<>(MAX_SETS);
        for (List<Rule> l : b.rules) {
            r.add(l == null ? List.of() : List.copyOf(l));
        }
        this.rules = Collections.unmodifiableList(r);
        Map<String, Integer> bn = new HashMap<>(b.byName);
        boolean builtin = !bn.containsKey("canonify") && b.rules[CANONIFY] == null && !b.declaredNumber[CANONIFY];
        if (builtin) {
            bn.put("canonify", CANONIFY);
            names[CANONIFY] = "canonify";
        }
        this.builtinCanonify = builtin;
        this.byName = Map.copyOf(bn);
        this.declared = List.copyOf(b.declared);
        Map<String, Set<String>> c = new LinkedHashMap<>();
        Map<String, Set<String>> cl = new HashMap<>();
        b.classes.forEach((k, v) -> {
            c.put(k, Collections.unmodifiableSet(new LinkedHashSet<>(v)));
            Set<String> low = new java.util.HashSet<>();
            v.forEach(w -> low.add(w.toLowerCase(Locale.ROOT)));
            cl.put(k, low);
        });
        this.classes = Collections.unmodifiableMap(c);
        this.classesLower = cl;
        this.macros = Map.copyOf(b.macros);
        this.tokenizer = b.tokenizer;
        this.spaceSub = b.spaceSub;
        this.warnings = List.copyOf(b.warnings);
        this.errors = List.copyOf(b.errors);
        this.declaredMaps = Set.copyOf(b.declaredMaps);
    }

    /**
     * sendmail's lookup of a rule set by name or number (strtorwset): leading blanks skipped, a number
     * below 100, or a name of letters, digits and {@code _} starting with a letter, read up to the first
     * other character. Returns -1 when there is no such set.
     */
    public int find(String spec) {
        int i = 0;
        while (i < spec.length() && Tokenizer.isSpace(spec.charAt(i))) {
            i++;
        }
        if (i == spec.length()) {
            return -1;
        }
        char c = spec.charAt(i);
        if (c >= '0' && c <= '9') {
            int j = i;
            long n = 0;
            while (j < spec.length() && spec.charAt(j) >= '0' && spec.charAt(j) <= '9' && n < MAX_SETS) {
                n = n * 10 + (spec.charAt(j) - '0');
                j++;
            }
            return n < MAX_SETS / 2 ? (int) n : -1;
        }
        int j = i;
        while (j < spec.length() && (isNameChar(spec.charAt(j)))) {
            j++;
        }
        if (j == i || !isAsciiLetter(c)) {
            return -1;
        }
        Integer n = byName.get(spec.substring(i, j));
        return n == null ? -1 : n;
    }

    static boolean isNameChar(char c) {
        return isAsciiLetter(c) || (c >= '0' && c <= '9') || c == '_';
    }

    static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /** Whether a rule set of this name or number exists (has an {@code S} line, or is the built-in). */
    public boolean isDefined(String spec) {
        int n = find(spec);
        return n >= 0 && (names[n] != null || !rules.get(n).isEmpty());
    }

    /** The name sendmail prints for set {@code n}: its last name, else the number. */
    public String name(int n) {
        return names[n] != null ? names[n] : Integer.toString(n);
    }

    public List<Rule> rules(int n) {
        return rules.get(n);
    }

    /** Set {@code n} has no rules and is not the built-in canonify (a call to it is skipped). */
    public boolean isEmpty(int n) {
        return rules.get(n).isEmpty() && !(builtinCanonify && n == CANONIFY);
    }

    public boolean isBuiltinCanonify(int n) {
        return builtinCanonify && n == CANONIFY;
    }

    /** Names of the rule sets the file declared, in order of their first {@code S} line. */
    public List<String> declaredNames() {
        return declared;
    }

    public Set<String> classWords(String cls) {
        return classes.getOrDefault(cls, Set.of());
    }

    public Set<String> classNames() {
        return classes.keySet();
    }

    public boolean inClass(String cls, String word) {
        Set<String> s = classesLower.get(cls);
        return s != null && s.contains(word.toLowerCase(Locale.ROOT));
    }

    /** A macro's raw value ({@code $} sequences not yet expanded), or null. */
    public String macro(String name) {
        return macros.get(name);
    }

    public Map<String, String> macros() {
        return macros;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** BlankSub: what joins two words when tokens are put together (class lookups, map keys). */
    public char spaceSub() {
        return spaceSub;
    }

    /** Things worth knowing that did not stop loading (a call to an undefined set, a redefinition). */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * Maps the configuration declared ({@code K} lines of an imported sendmail.cf) that Tacit does not
     * implement: a lookup in one finds nothing, quietly, instead of failing as an unknown map does.
     */
    public Set<String> declaredMaps() {
        return declaredMaps;
    }

    /** Errors seen while loading leniently (sendmail's way: complain and go on); empty when strict. */
    public List<String> errors() {
        return errors;
    }

    /** Builds rule sets; used by the parsers. */
    static final class Builder {
        final String[] names = new String[MAX_SETS];
        @SuppressWarnings({"unchecked", "rawtypes"})
        final List<Rule>[] rules = new List[MAX_SETS];
        final Map<String, Integer> byName = new HashMap<>();
        final List<String> declared = new ArrayList<>();
        final boolean[] declaredNumber = new boolean[MAX_SETS];
        final Map<String, Set<String>> classes = new LinkedHashMap<>();
        final Map<String, String> macros = new HashMap<>();
        final List<String> warnings = new ArrayList<>();
        final List<String> errors = new ArrayList<>();
        final Set<String> declaredMaps = new java.util.HashSet<>();
        Tokenizer tokenizer = new Tokenizer();
        char spaceSub = '.';
        int nextNamed = MAX_SETS;

        void addClassWord(String cls, String word) {
            classes.computeIfAbsent(cls, k -> new LinkedHashSet<>()).add(word);
        }

        void addRule(int set, Rule r) {
            if (rules[set] == null) {
                rules[set] = new ArrayList<>();
            }
            rules[set].add(r);
        }

        RuleSets build() {
            return new RuleSets(this);
        }
    }

    /** Names of all class words, sorted, as a test-mode listing prints them. */
    static List<String> sorted(Set<String> words) {
        return new ArrayList<>(new TreeSet<>(words));
    }
}
