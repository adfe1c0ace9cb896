package dev.tacit.directory;

import dev.tacit.smtp.MailAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits and parses address lists the way sendmail's recipient code sees them: a VRFY/EXPN argument,
 * the right-hand side of an alias, one line of an {@code :include:} file (sendmail-privacy.md 6, 14).
 *
 * <p>A list is split on commas outside quotes, comments and angle brackets, so {@code <gw, tj} is one
 * element (with an unbalanced {@code <}). Each element is tokenised as sendmail's prescan does:
 * operator characters {@code .:%@!^/[]+;} are tokens of their own, quoted strings one token,
 * {@code (comments)} dropped, a backslash kept with the character it protects. A token over 256
 * characters, more than 1251 bytes of token storage (each token plus one), an unbalanced quote,
 * parenthesis or bracket make the element invalid; sendmail reports the first such error.
 *
 * <p>A valid element is local (no domain, or a domain in class w), remote, a {@code |program}, a
 * {@code /file} or an {@code :include:path}. Local names are folded to lower case, as sendmail's local
 * mailer (no {@code F=u}) does at parse time; a leading backslash is kept, it means "this user, no
 * aliases". Nothing here touches the directory.
 */
public final class AddressParser {

    /** sendmail's MAXNAME: longest single token. */
    public static final int MAX_TOKEN = 256;
    /** Token storage available to prescan (MAXNAME + 1 less its five bytes of slack). */
    public static final int MAX_STORAGE = 1251;

    /** What a syntax error is, for the reply catalogue. */
    public enum Syntax { UNBALANCED, TOKEN_TOO_LONG, ADDRESS_TOO_LONG, HOSTNAME_REQUIRED, USER_REQUIRED }

    /** One parsed element; {@code typed} is the element as written, trimmed (sendmail's q_paddr). */
    public sealed interface Parsed {
        String typed();
    }

    /** A local name: {@code user} in lower case, with its leading backslash when it has one. */
    public record Local(String typed, String user) implements Parsed {
        /** {@code \name}: deliver to the user, never through an alias. */
        public boolean noAlias() {
            return user.startsWith("\\");
        }

        /** The login to look up: the name without its backslash. */
        public String login() {
            return noAlias() ? user.substring(1) : user;
        }
    }

    /** An address elsewhere: {@code address} as sendmail shows it, {@code host} in lower case for sorting. */
    public record Remote(String typed, String address, String host) implements Parsed {}

    /** {@code |command}: {@code command} keeps the bar, as sendmail shows it. */
    public record Program(String typed, String command) implements Parsed {}

    public record FileTarget(String typed, String path) implements Parsed {}

    public record Include(String typed, String path) implements Parsed {}

    /** A syntax error; {@code bad} is the character for UNBALANCED. */
    public record Invalid(String typed, Syntax syntax, char bad) implements Parsed {}

    private final LocalDomains domains;

    public AddressParser(LocalDomains domains) {
        this.domains = domains;
    }

    /** Every element of a comma-separated list, in the order written; empty elements are skipped. */
    public List<Parsed> parseList(String list) {
        List<Parsed> out = new ArrayList<>();
        int i = 0;
        int n = list.length();
        while (i < n) {
            char c = list.charAt(i);
            if (c == ',' || Character.isWhitespace(c)) {
                i++;
                continue;
            }
            int end = elementEnd(list, i);
            out.add(parse(list.substring(i, end).strip()));
            i = end;
        }
        return out;
    }

    /** Where the element starting at {@code from} ends: at a comma outside quotes, comments and brackets. */
    private static int elementEnd(String s, int from) {
        boolean quoted = false;
        int comment = 0;
        int angle = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (quoted) {
                if (c == '"') {
                    quoted = false;
                }
            } else if (comment > 0) {
                if (c == '(') {
                    comment++;
                } else if (c == ')') {
                    comment--;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == '(') {
                comment++;
            } else if (c == '<') {
                angle++;
            } else if (c == '>') {
                if (angle > 0) {
                    angle--;
                }
            } else if (c == ',' && angle == 0) {
                return i;
            }
        }
        return s.length();
    }

    /** One element, already split from its list. */
    public Parsed parse(String typed) {
        List<String> tokens = new ArrayList<>();
        Invalid err = tokenize(typed, tokens);
        if (err != null) {
            return err;
        }
        return interpret(typed, tokens);
    }

    /** An address parsed by the SMTP layer (RCPT TO), as the same kinds. */
    public Parsed fromMailAddress(String typed, MailAddress a) {
        if (a.hasDomain() && !domains.isLocal(a.domain())) {
            return new Remote(typed, a.toString(), hostKey(a.domain()));
        }
        return local(typed, a.localPart());
    }

    private static boolean isOperator(char c) {
        return ".:%@!^/[]+;".indexOf(c) >= 0;
    }

    private static boolean isSpecial(char c) {
        return isOperator(c) || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' || c == '"'
                || Character.isWhitespace(c);
    }

    /** sendmail's prescan over one element; null when it tokenises cleanly. */
    private static Invalid tokenize(String s, List<String> tokens) {
        int storage = 0;
        int angle = 0;
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            if (c == '(') {
                int depth = 0;
                for (; i < n; i++) {
                    char d = s.charAt(i);
                    if (d == '\\') {
                        i++;
                    } else if (d == '(') {
                        depth++;
                    } else if (d == ')' && --depth == 0) {
                        break;
                    }
                }
                if (i >= n) {
                    return new Invalid(s, Syntax.UNBALANCED, '(');
                }
                i++;
                continue;
            }
            if (c == ')') {
                return new Invalid(s, Syntax.UNBALANCED, ')');
            }
            String token;
            if (c == '"') {
                int start = i++;
                boolean closed = false;
                while (i < n) {
                    char d = s.charAt(i++);
                    if (d == '\\' && i < n) {
                        i++;
                    } else if (d == '"') {
                        closed = true;
                        break;
                    }
                }
                if (!closed) {
                    return new Invalid(s, Syntax.UNBALANCED, '"');
                }
                token = s.substring(start, i);
            } else if (c == '<' || c == '>' || c == ',' || isOperator(c)) {
                if (c == '<') {
                    angle++;
                } else if (c == '>') {
                    if (angle == 0) {
                        return new Invalid(s, Syntax.UNBALANCED, '>');
                    }
                    angle--;
                }
                token = String.valueOf(c);
                i++;
            } else {
                int start = i;
                while (i < n) {
                    char d = s.charAt(i);
                    if (d == '\\') {
                        i += 2; // the backslash stays in the atom with the character it protects
                        continue;
                    }
                    if (isSpecial(d)) {
                        break;
                    }
                    i++;
                }
                i = Math.min(i, n);
                token = s.substring(start, i);
            }
            if (token.length() > MAX_TOKEN) {
                return new Invalid(s, Syntax.TOKEN_TOO_LONG, ' ');
            }
            storage += token.length() + 1;
            if (storage > MAX_STORAGE) {
                return new Invalid(s, Syntax.ADDRESS_TOO_LONG, ' ');
            }
            tokens.add(token);
        }
        if (angle > 0) {
            return new Invalid(s, Syntax.UNBALANCED, '<');
        }
        return null;
    }

    private Parsed interpret(String typed, List<String> tokens) {
        List<String> t = tokens;
        int open = t.indexOf("<");
        if (open >= 0) {
            int depth = 0;
            int close = -1;
            for (int k = open; k < t.size(); k++) {
                if (t.get(k).equals("<")) {
                    depth++;
                } else if (t.get(k).equals(">") && --depth == 0) {
                    close = k;
                    break;
                }
            }
            t = t.subList(open + 1, close);
            while (!t.isEmpty() && t.get(0).equals("<") && t.get(t.size() - 1).equals(">")) {
                t = t.subList(1, t.size() - 1);
            }
        }
        if (t.isEmpty()) {
            return new Local(typed, ""); // <>: nobody by that name
        }
        // A source route (@a,@b:user@host, RFC 5321 appendix C) is ignored.
        if (t.get(0).equals("@")) {
            int colon = t.indexOf(":");
            if (colon < 0) {
                return new Invalid(typed, Syntax.USER_REQUIRED, ' ');
            }
            t = t.subList(colon + 1, t.size());
            if (t.isEmpty()) {
                return new Invalid(typed, Syntax.USER_REQUIRED, ' ');
            }
        }
        String all = join(t);
        if (all.startsWith(":include:")) {
            return new Include(typed, all.substring(":include:".length()).strip());
        }
        int at = t.lastIndexOf("@");
        if (at < 0) {
            return local(typed, join(t));
        }
        if (at == t.size() - 1) {
            return new Invalid(typed, Syntax.HOSTNAME_REQUIRED, ' ');
        }
        if (at == 0) {
            return new Invalid(typed, Syntax.USER_REQUIRED, ' ');
        }
        String localPart = join(t.subList(0, at));
        String domain = join(t.subList(at + 1, t.size()));
        if (domains.isLocal(domain)) {
            return local(typed, localPart);
        }
        return new Remote(typed, localPart + "@" + domain, hostKey(domain));
    }

    private static String hostKey(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        return d.endsWith(".") ? d.substring(0, d.length() - 1) : d;
    }

    /** A local part: quotes removed, then program, file or user; users in lower case. */
    private static Parsed local(String typed, String localPart) {
        String user = dequote(localPart);
        if (user.startsWith("|")) {
            return new Program(typed, user);
        }
        if (user.startsWith("/")) {
            return new FileTarget(typed, user);
        }
        if (user.startsWith(":include:")) {
            return new Include(typed, user.substring(":include:".length()).strip());
        }
        return new Local(typed, user.toLowerCase(Locale.ROOT));
    }

    /** sendmail's dequote: a local part that is one quoted string loses its quotes and escapes. */
    static String dequote(String s) {
        if (s.length() < 2 || s.charAt(0) != '"' || s.charAt(s.length() - 1) != '"') {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 1; i < s.length() - 1; i++) {
            char c = s.charAt(i);
            if (c == '"') {
                return s; // more than one quoted string: leave it alone
            }
            if (c == '\\' && i + 1 < s.length() - 1) {
                c = s.charAt(++i);
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /** Tokens back to text as sendmail's cataddr does: a space only between two words. */
    static String join(List<String> tokens) {
        StringBuilder sb = new StringBuilder();
        boolean prevWord = false;
        for (String tok : tokens) {
            boolean word = tok.length() > 1 || !isSpecial(tok.charAt(0));
            if (word && prevWord) {
                sb.append(' ');
            }
            sb.append(tok);
            prevWord = word;
        }
        return sb.toString();
    }
}
