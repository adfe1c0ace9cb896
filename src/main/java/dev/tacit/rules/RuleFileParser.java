package dev.tacit.rules;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads a Tacit rules file: the rule-set part of a sendmail.cf, in sendmail's own syntax
 * (sendmail-privacy.md 13). It may hold {@code S} and {@code R} lines, {@code C} and {@code F} class
 * lines (F paths relative to the file), {@code D} macro definitions, a {@code V} level, comments and
 * continuation lines. {@code $x} macros expand when the file is read, from the {@code D} lines seen so
 * far and the values the caller gives ({@code $j}, {@code $w}, {@code $m}, ...).
 *
 * <p>A bad file is refused as a whole: {@link RulesException} carries every problem as
 * {@code file:line: reason}, with sendmail's wording. The lenient mode reads the way sendmail does
 * (complain, keep what it can) and is meant for tests and for {@code tacit rules test}.
 *
 * <p>Config keys: none read here; the server passes the file named by its {@code rules_file} key
 * (to be added when the policy is wired).
 */
public final class RuleFileParser {

    private RuleFileParser() {}

    /**
     * What the caller knows before the file is read.
     *
     * @param macros macro values by name ({@code j}, {@code w}, {@code m}, {@code {name}} without braces)
     * @param classes class words by class name ({@code w}: the local host names)
     * @param operatorChars sendmail's OperatorChars
     * @param spaceSub sendmail's BlankSub
     * @param lenient read on after errors, as sendmail does
     */
    public record Options(Map<String, String> macros, Map<String, List<String>> classes, String operatorChars,
            char spaceSub, boolean lenient) {

        public Options {
            macros = Map.copyOf(macros);
            classes = Map.copyOf(classes);
        }

        public static Options defaults() {
            return new Options(Map.of(), Map.of(), Tokenizer.DEFAULT_OPERATORS, '.', false);
        }

        /**
         * Options for a host: {@code $j} = hostname, {@code $w} = its first label, {@code $m} = the rest,
         * class w = hostname, its first label, localhost, [127.0.0.1] and {@code localDomains}.
         */
        public static Options forHost(String hostname, Collection<String> localDomains) {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("j", hostname);
            int dot = hostname.indexOf('.');
            m.put("w", dot > 0 ? hostname.substring(0, dot) : hostname);
            if (dot > 0 && dot < hostname.length() - 1) {
                m.put("m", hostname.substring(dot + 1));
            }
            java.util.LinkedHashSet<String> w = new java.util.LinkedHashSet<>();
            w.add(hostname);
            w.addAll(localDomains);
            w.add(m.get("w"));
            w.add("localhost");
            w.add("[127.0.0.1]");
            return new Options(m, Map.of("w", List.copyOf(w)), Tokenizer.DEFAULT_OPERATORS, '.', false);
        }

        public Options withMacro(String name, String value) {
            Map<String, String> m = new LinkedHashMap<>(macros);
            m.put(name, value);
            return new Options(m, classes, operatorChars, spaceSub, lenient);
        }

        public Options withClass(String name, List<String> words) {
            Map<String, List<String>> c = new LinkedHashMap<>(classes);
            c.put(name, List.copyOf(words));
            return new Options(macros, c, operatorChars, spaceSub, lenient);
        }

        public Options lenient(boolean on) {
            return new Options(macros, classes, operatorChars, spaceSub, on);
        }
    }

    /** Reads {@code file}; relative {@code F} paths are relative to its folder. */
    public static RuleSets load(Path file, Options options) throws RulesException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new RulesException(List.of(file + ":0: cannot read: " + e.getMessage()));
        }
        Path dir = file.toAbsolutePath().getParent();
        return parse(text, file.toString(), dir, options);
    }

    /** Parses rules text; {@code name} is used in messages, {@code baseDir} for {@code F} lines. */
    public static RuleSets parse(String text, String name, Path baseDir, Options options) throws RulesException {
        ConfigReader r = newReader(name, baseDir, options);
        r.read(text, (line, number) -> false);
        return finish(r, options.lenient());
    }

    static ConfigReader newReader(String name, Path baseDir, Options options) {
        ConfigReader r = new ConfigReader(name, baseDir);
        options.macros().forEach((k, v) -> r.b.macros.put(k, ConfigText.quoteDollars(v)));
        options.classes().forEach((k, v) -> v.forEach(w -> r.b.addClassWord(k, w)));
        r.b.tokenizer = new Tokenizer(options.operatorChars());
        r.b.spaceSub = options.spaceSub();
        return r;
    }

    static RuleSets finish(ConfigReader r, boolean lenient) throws RulesException {
        if (!lenient && !r.errors.isEmpty()) {
            throw new RulesException(r.errors);
        }
        r.b.errors.addAll(r.errors);
        r.checkCalls(r.b.build());
        return r.b.build();
    }
}
