package dev.tacit.rules;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * sendmail's address test mode ({@code sendmail -bt}) over Tacit's engine: what
 * {@code tacit rules test} runs. Each input line is one of
 *
 * <ul>
 *   <li>{@code <set>[,<set>...] <address>[, <address>...]}: every address through every set in turn,
 *       printing {@code <set>   input: ...} and {@code <set> returns: ...} as sendmail does;
 *   <li>{@code $=X} (class words, one per line, sorted) and {@code $x} (a macro's value);
 *   <li>{@code .Dx value} and {@code .CX words} to set a macro or add class words for later lines;
 *   <li>{@code =S<set>} to print a set's rules;
 *   <li>{@code #} comments and empty lines.
 * </ul>
 *
 * Output is byte for byte sendmail's, with three known differences: {@code $=X} lists words sorted
 * (sendmail prints them in hash-table order), the built-in canonify prints no inner
 * {@code Canonify2} lines, and the {@code /parse}, {@code /try} and similar commands are not there.
 */
public final class AddressTester {

    public static final String BANNER = "ADDRESS TEST MODE (ruleset 3 NOT automatically invoked)\n"
            + "Enter <ruleset> <address>\n";
    public static final String PROMPT = "> ";

    private final RuleSets sets;
    private RewriteEnvironment env;
    private boolean quit;

    public AddressTester(RuleSets sets, RewriteEnvironment env) {
        this.sets = sets;
        this.env = env;
    }

    public RewriteEnvironment environment() {
        return env;
    }

    /** True after a {@code /quit} line. */
    public boolean quitRequested() {
        return quit;
    }

    /** A whole session as sendmail -bt prints it: the banner, then a prompt before every line read. */
    public void session(BufferedReader in, StringBuilder out, Runnable flush) throws IOException {
        out.append(BANNER);
        for (;;) {
            out.append(PROMPT);
            flush.run();
            String l = in.readLine();
            if (l == null) {
                break;
            }
            line(l, out);
            if (quit) {
                break;
            }
        }
        flush.run();
    }

    /** Processes one input line, appending what sendmail would print for it. */
    public void line(String input, StringBuilder out) {
        String line = input;
        if (line.endsWith("\n")) {
            line = line.substring(0, line.length() - 1);
        }
        int i = 0;
        while (i < line.length() && line.charAt(i) == ' ') {
            i++;
        }
        line = line.substring(i);
        if (line.isEmpty() || line.charAt(0) == '#') {
            return;
        }
        switch (line.charAt(0)) {
            case '?' -> out.append("Lines: <ruleset>[,<ruleset>...] <address>, $=X, $x, .Dx value, .CX words, =Sruleset\n");
            case '.' -> dotCommand(line, out);
            case '=' -> equalsCommand(line, out);
            case '-' -> {
                if (line.length() == 1) {
                    out.append("Usage: -d{debug arguments}\n");
                } else if (line.charAt(1) != 'd') {
                    out.append("Unknown \"-\" command ").append(line).append('\n');
                }
            }
            case '$' -> dollarCommand(line, out);
            case '/' -> slashCommand(line, out);
            default -> addresses(line, out);
        }
    }

    private void dotCommand(String line, StringBuilder out) {
        if (line.length() == 1) {
            out.append("Usage: .[DC]macro value(s)\n");
            return;
        }
        char c = line.charAt(1);
        if (c != 'D' && c != 'C') {
            out.append("Unknown \".\" command ").append(line).append('\n');
            return;
        }
        String[] name = macroName(line, 2);
        if (name == null) {
            return;
        }
        String rest = line.substring(Integer.parseInt(name[1]));
        if (c == 'D') {
            env = env.withMacro(name[0], rest.replace("$$", "$"));
            return;
        }
        try {
            List<String> names = new ArrayList<>();
            String words = Tokenizer.plainText(ConfigText.expand(rest, this::macroRaw, names), names);
            for (String w : words.trim().split("\\s+")) {
                if (!w.isEmpty()) {
                    env = env.withClassWord(name[0], w);
                }
            }
        } catch (ConfigText.TextException e) {
            out.append(e.getMessage()).append('\n');
        }
    }

    private String macroRaw(String name) {
        String v = env.macro(name);
        return v != null ? ConfigText.quoteDollars(v) : sets.macro(name);
    }

    private void equalsCommand(String line, StringBuilder out) {
        if (line.length() == 1) {
            out.append("Usage: =Sruleset or =M\n");
            return;
        }
        char c = line.charAt(1);
        if (c == 'M') {
            return;
        }
        if (c != 'S') {
            out.append("Unknown \"=\" command ").append(line).append('\n');
            return;
        }
        String spec = line.substring(2);
        int n = sets.find(spec);
        if (n < 0) {
            out.append("Undefined ruleset ").append(spec).append('\n');
            return;
        }
        for (Rule r : sets.rules(n)) {
            out.append(r.render()).append('\n');
        }
    }

    private void dollarCommand(String line, StringBuilder out) {
        if (line.length() > 1 && line.charAt(1) == '=') {
            String[] name = macroName(line, 2);
            if (name == null) {
                return;
            }
            Set<String> words = new TreeSet<>(sets.classWords(name[0]));
            words.addAll(env.extraClassWords(name[0]));
            for (String w : words) {
                out.append(w).append('\n');
            }
            return;
        }
        String[] name = macroName(line, 1);
        if (name == null) {
            return;
        }
        String v = env.macro(name[0]);
        if (v == null) {
            String raw = sets.macro(name[0]);
            v = raw == null ? null : raw.replace("$$", "$");
        }
        out.append(v == null ? "Undefined" : Token.renderText(v)).append('\n');
    }

    private void slashCommand(String line, StringBuilder out) {
        String l = line.stripTrailing();
        if (l.length() == 1) {
            out.append("Usage: /[canon|map|mx|parse|try|tryflags]\n");
            return;
        }
        int sp = l.indexOf(' ');
        String cmd = sp < 0 ? l.substring(1) : l.substring(1, sp);
        if (cmd.equalsIgnoreCase("quit")) {
            quit = true;
            return;
        }
        out.append("Unknown \"/\" command ").append(sp < 0 ? l : l.substring(0, sp)).append('\n');
    }

    /** sendmail's macid: {@code {name}} or one character; returns {name, index after it}. */
    private static String[] macroName(String s, int i) {
        if (i >= s.length()) {
            return null;
        }
        if (s.charAt(i) == '{') {
            int close = s.indexOf('}', i);
            if (close <= i + 1) {
                return null;
            }
            return new String[] {s.substring(i + 1, close), Integer.toString(close + 1)};
        }
        return new String[] {String.valueOf(s.charAt(i)), Integer.toString(i + 1)};
    }

    private void addresses(String line, StringBuilder out) {
        int p = 0;
        while (p < line.length() && !Tokenizer.isSpace(line.charAt(p))) {
            p++;
        }
        if (p >= line.length()) {
            out.append("No address!\n");
            return;
        }
        String setList = line.substring(0, p);
        String rest = line.substring(p + 1);
        if (rest.length() > Tokenizer.MAX_TOKEN - 1) {
            out.append("Address \"").append(rest, 0, Tokenizer.MAX_TOKEN - 1).append("\" too long (")
                    .append(Tokenizer.MAX_TOKEN - 1).append(" bytes max)\n");
            return;
        }
        Rewriter rewriter = new Rewriter(sets, env);
        Rewriter.Trace trace = new Printer(out);
        int pos = 0;
        for (;;) {
            Tokenizer.Scan scan = sets.tokenizer().scan(rest, pos, ',', Tokenizer.Table.NO_COMMENTS, false,
                    Tokenizer.ADDRESS_BUFFER);
            for (Tokenizer.Problem pr : scan.problems()) {
                out.append(pr.testModeText(rest.substring(pos))).append('\n');
            }
            if (scan instanceof Tokenizer.Scan.Tokens t && !t.tokens().isEmpty()) {
                List<Token> ws = new ArrayList<>(t.tokens());
                int q = 0;
                while (q < setList.length()) {
                    String spec = setList.substring(q);
                    int n = sets.find(spec);
                    if (n < 0) {
                        out.append("Undefined ruleset ").append(spec).append('\n');
                        break;
                    }
                    int status = rewriter.rewrite(ws, n, 0, Rewriter.MAX_TOKENS, trace);
                    if (status != ExitStatus.OK) {
                        out.append("== Ruleset ").append(spec).append(" (").append(n).append(") status ")
                                .append(status).append('\n');
                    }
                    int comma = setList.indexOf(',', q);
                    q = comma < 0 ? setList.length() : comma + 1;
                }
            }
            int end = scan.end();
            if (end >= rest.length() || rest.charAt(end) != ',') {
                break;
            }
            pos = end + 1;
        }
    }

    /** Prints the trace the way sendmail -bt does. */
    static final class Printer implements Rewriter.Trace {
        private final StringBuilder out;

        Printer(StringBuilder out) {
            this.out = out;
        }

        @Override
        public void input(String ruleset, List<Token> workspace) {
            out.append(pad16(ruleset)).append("   input:").append(Token.renderList(workspace)).append('\n');
        }

        @Override
        public void output(String ruleset, List<Token> workspace) {
            out.append(pad16(ruleset)).append(" returns:").append(Token.renderList(workspace)).append('\n');
        }

        @Override
        public void error(Rewriter.RewriteError e) {
            out.append(e.text()).append('\n');
        }

        /** printf's %-16.16s. */
        static String pad16(String s) {
            if (s.length() >= 16) {
                return s.substring(0, 16);
            }
            return s + " ".repeat(16 - s.length());
        }
    }
}
