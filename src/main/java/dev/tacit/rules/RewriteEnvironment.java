package dev.tacit.rules;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a rewrite needs besides the rule sets: run-time macro values ({@code $&x}, for instance
 * {@code {client_addr}}), words added to classes after loading, the {@code host} resolver, named maps
 * for {@code $( map key $)}, and the recursion limit (sendmail's MaxRuleRecursion, 50).
 *
 * <p>Immutable; the {@code with...} methods return a changed copy.
 */
public final class RewriteEnvironment {

    /** A named map for {@code $( name key $@ arg ... $: default $)}. */
    @FunctionalInterface
    public interface RuleMap {
        /** The value for {@code key}, {@code %1}... already replaced by {@code args}; empty when not found. */
        Optional<String> lookup(String key, List<String> args);
    }

    public static final int DEFAULT_MAX_RECURSION = 50;

    private final HostResolver resolver;
    private final Map<String, String> macros;
    private final Map<String, Set<String>> classes;
    private final Map<String, RuleMap> maps;
    private final int maxRecursion;

    private RewriteEnvironment(HostResolver resolver, Map<String, String> macros, Map<String, Set<String>> classes,
            Map<String, RuleMap> maps, int maxRecursion) {
        this.resolver = resolver;
        this.macros = macros;
        this.classes = classes;
        this.maps = maps;
        this.maxRecursion = maxRecursion;
    }

    /** No run-time macros or maps; host names resolve only when they are in class {@code w}. */
    public static RewriteEnvironment of(RuleSets sets) {
        return new RewriteEnvironment(HostResolver.localOnly(sets.classWords("w")), Map.of(), Map.of(), Map.of(),
                DEFAULT_MAX_RECURSION);
    }

    public static RewriteEnvironment of(HostResolver resolver) {
        return new RewriteEnvironment(resolver, Map.of(), Map.of(), Map.of(), DEFAULT_MAX_RECURSION);
    }

    public RewriteEnvironment withResolver(HostResolver r) {
        return new RewriteEnvironment(r, macros, classes, maps, maxRecursion);
    }

    /** A run-time macro value ({@code $&name}); null removes it. */
    public RewriteEnvironment withMacro(String name, String value) {
        Map<String, String> m = new HashMap<>(macros);
        if (value == null) {
            m.remove(name);
        } else {
            m.put(name, value);
        }
        return new RewriteEnvironment(resolver, Map.copyOf(m), classes, maps, maxRecursion);
    }

    public RewriteEnvironment withClassWord(String cls, String word) {
        Map<String, Set<String>> m = new HashMap<>(classes);
        Set<String> s = new LinkedHashSet<>(m.getOrDefault(cls, Set.of()));
        s.add(word);
        m.put(cls, s);
        return new RewriteEnvironment(resolver, macros, Map.copyOf(m), maps, maxRecursion);
    }

    public RewriteEnvironment withMap(String name, RuleMap map) {
        Map<String, RuleMap> m = new HashMap<>(maps);
        m.put(name, map);
        return new RewriteEnvironment(resolver, macros, classes, Map.copyOf(m), maxRecursion);
    }

    public RewriteEnvironment withMaxRecursion(int n) {
        return new RewriteEnvironment(resolver, macros, classes, maps, n);
    }

    public HostResolver resolver() {
        return resolver;
    }

    /** A run-time macro value set here, or null. */
    public String macro(String name) {
        return macros.get(name);
    }

    public Set<String> extraClassWords(String cls) {
        return classes.getOrDefault(cls, Set.of());
    }

    public RuleMap map(String name) {
        return maps.get(name);
    }

    public int maxRecursion() {
        return maxRecursion;
    }
}
