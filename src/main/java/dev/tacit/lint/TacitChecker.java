package dev.tacit.lint;

import dev.tacit.config.ConfigException;
import dev.tacit.config.ConfigLoader;
import dev.tacit.config.Param;
import dev.tacit.config.Params;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;

/**
 * tacit.toml asked the same questions as the MTAs: first whatever {@code tacit serve} itself would
 * refuse (through {@link ConfigLoader}, so the linter and the server never disagree), then one check
 * per key in {@link #CHECKS}. Values come from the file or, when absent, from the default in
 * {@link Params}. To lint a new key (enumeration_defense, trusted_networks, ...), add one entry to
 * {@link #CHECKS}.
 */
public final class TacitChecker {

    /** A check of one key: gets the value as TOML text-free Java object (String, Long, Boolean, ...). */
    @FunctionalInterface
    interface KeyCheck {
        void check(Object value, Key key);
    }

    /** Where a key is and how to report on it. */
    record Key(String name, SourceFile file, int line, int column, boolean inFile, LintContext ctx) {
        void report(LintRule rule, String message, String fix) {
            ctx.report(rule, file, line, column, message, fix);
        }
    }

    private static final Pattern PRIVACY_LINE = Pattern.compile("(\\s*privacy_options\\s*=\\s*)\"([^\"\\\\]*)\"(\\s*(#.*)?)");

    static final Map<String, KeyCheck> CHECKS = Map.of(
            "privacy_options", TacitChecker::privacy,
            "log_level", TacitChecker::logLevel,
            "enumeration_defense", (v, key) -> {
                if (Boolean.FALSE.equals(v)) {
                    key.report(LintRule.TC504, "enumeration_defense = false: RCPT answers tell real users from unknown ones",
                            "set enumeration_defense = true");
                }
            },
            "trusted_networks", TacitChecker::trustedNetworks,
            "guard.enabled", (v, key) -> {
                if (Boolean.FALSE.equals(v)) {
                    key.report(LintRule.TC506, "guard.enabled = false: probers who reconnect are never slowed or blocked",
                            "set guard.enabled = true");
                }
            });

    private TacitChecker() {}

    public static void check(SourceFile f, LintContext ctx) throws LintException {
        TomlParseResult toml = Toml.parse(f.text());
        if (toml.hasErrors()) {
            var err = toml.errors().get(0);
            throw new LintException(f.display(), err.position().line(), err.getMessage());
        }
        try {
            ConfigLoader.parse(f.text(), f.path());
        } catch (ConfigException e) {
            Matcher m = Pattern.compile(":(\\d+): ").matcher(e.getMessage());
            int line = m.find() ? Integer.parseInt(m.group(1)) : 0;
            String msg = e.getMessage();
            int cut = msg.indexOf(": ", msg.indexOf(f.path().getFileName().toString()));
            ctx.report(LintRule.TC500, f, line, 1, "tacit serve refuses this file: "
                    + (cut >= 0 ? msg.substring(cut + 2).replaceFirst("^\\d+: ", "") : msg), null);
            return;
        }
        for (var e : CHECKS.entrySet()) {
            Param p = Params.get(e.getKey());
            if (p == null) {
                continue; // a check for a key this build does not have yet
            }
            List<String> path = List.of(p.key().split("\\."));
            Object v = toml.get(path);
            TomlPosition pos = toml.inputPositionOf(p.key());
            boolean inFile = v != null;
            if (v == null && p.defaultValue() != null) {
                v = Toml.parse("v = " + p.defaultValue()).get("v");
            }
            e.getValue().check(v, new Key(p.key(), f, inFile && pos != null ? pos.line() : 0,
                    inFile && pos != null ? pos.column() : 0, inFile, ctx));
        }
    }

    private static void privacy(Object value, Key key) {
        String v = value == null ? "" : value.toString();
        Set<String> flags = SendmailChecker.flags(List.of(v));
        Set<String> add = new LinkedHashSet<>();
        if (!flags.contains("novrfy")) {
            key.report(LintRule.TC501, "privacy_options \"" + v + "\" has neither novrfy nor goaway: VRFY confirms users",
                    "use privacy_options = \"goaway\" or add novrfy");
            add.add("novrfy");
        }
        if (!flags.contains("noexpn")) {
            key.report(LintRule.TC502, "privacy_options \"" + v + "\" has neither noexpn nor goaway: EXPN lists aliases",
                    "use privacy_options = \"goaway\" or add noexpn");
            add.add("noexpn");
        }
        if (!add.isEmpty() && key.inFile() && key.line() > 0) {
            String text = key.file().line(key.line()).text();
            Matcher m = PRIVACY_LINE.matcher(text);
            if (m.matches()) {
                String old = m.group(2).strip();
                String joined = (old.isEmpty() ? "" : old + ",") + String.join(",", add);
                key.ctx().fix(Edit.replace(key.file(), key.line(), m.group(1) + "\"" + joined + "\"" + m.group(3), LintRule.TC501));
            }
        }
    }

    /** Flags networks of more than about 16 million addresses (IPv4 shorter than /8, IPv6 shorter than /16). */
    private static void trustedNetworks(Object value, Key key) {
        if (!(value instanceof org.tomlj.TomlArray a)) {
            return;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!(a.get(i) instanceof String cidr)) {
                continue;
            }
            int slash = cidr.indexOf('/');
            if (slash < 0) {
                continue;
            }
            int prefix;
            try {
                prefix = Integer.parseInt(cidr.substring(slash + 1).strip());
            } catch (NumberFormatException e) {
                continue;
            }
            boolean v6 = cidr.indexOf(':') >= 0;
            if (prefix < (v6 ? 16 : 8)) {
                key.ctx().report(LintRule.TC505, prefix == 0 ? dev.tacit.findings.Severity.HIGH : dev.tacit.findings.Severity.MEDIUM,
                        key.file(), key.line(), key.column(), "trusted_networks has " + cidr + ": "
                                + (prefix == 0 ? "every client is trusted" : "a very large network is trusted")
                                + " and gets per-recipient answers", "list only your own relays");
            }
        }
    }

    private static void logLevel(Object value, Key key) {
        if (value instanceof Long n && n < 6) {
            key.report(LintRule.TC503, "log_level " + n + " does not log VRFY/EXPN probes (needs 6 or more)", "set log_level = 9");
        }
    }
}
