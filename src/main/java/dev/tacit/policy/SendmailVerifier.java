package dev.tacit.policy;

import dev.tacit.directory.DirectoryUnavailableException;
import dev.tacit.directory.Expander;
import dev.tacit.directory.Expansion;
import dev.tacit.directory.Resolution;
import dev.tacit.directory.Target;
import dev.tacit.directory.User;
import dev.tacit.smtp.MailAddress;
import dev.tacit.smtp.Replies;
import dev.tacit.smtp.Reply;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * VRFY, EXPN and RCPT answered from the directory in sendmail's public format
 * (sendmail-privacy.md 6 and 8): {@code 250 2.1.5 Full Name <login@host>}, {@code 550 5.1.1
 * name... User unknown}, one line per list member. This is the answer an attacker wants; the policy
 * decides whether a client ever gets it.
 */
public final class SendmailVerifier {

    private final Expander expander;
    private final String host;

    public SendmailVerifier(Expander expander, String host) {
        this.expander = expander;
        this.host = host;
    }

    public Expander expander() {
        return expander;
    }

    /** One parsed element of a VRFY/EXPN list. */
    private record Element(String typed, String local, String domain, Reply error) {}

    public Reply vrfy(String argument) throws DirectoryUnavailableException {
        return answer(argument, false);
    }

    public Reply expn(String argument) throws DirectoryUnavailableException {
        return answer(argument, true);
    }

    private Reply answer(String argument, boolean expand) throws DirectoryUnavailableException {
        List<Element> elements = split(argument);
        Map<String, String> lines = new LinkedHashMap<>();
        int code = 250;
        // sendmail hands the elements of a list to its queue last element first
        for (int i = elements.size() - 1; i >= 0; i--) {
            Element e = elements.get(i);
            if (e.error != null) {
                return e.error;
            }
            if (e.domain != null && !expander.domains().isLocal(e.domain)) {
                String a = e.local + "@" + e.domain;
                lines.putIfAbsent("r:" + a.toLowerCase(), "<" + a + ">");
                if (!expand) {
                    code = 252;
                }
                continue;
            }
            if (expand) {
                Expansion x = expander.expand(e.local);
                for (Expansion.Problem p : x.problems()) {
                    if (p instanceof Expansion.Problem.Unknown u) {
                        return Replies.userUnknown(u.name().equals(e.local) ? e.typed : u.name());
                    }
                }
                for (Target t : x.targets()) {
                    switch (t) {
                        case Target.Local l -> lines.putIfAbsent("l:" + l.user().login(), userLine(l.user()));
                        case Target.Remote r -> lines.putIfAbsent("r:" + r.address().toLowerCase(), "<" + r.address() + ">");
                        case Target.Program p -> lines.putIfAbsent("p:" + p.command(), "<|" + p.command() + ">");
                        case Target.File f -> lines.putIfAbsent("f:" + f.path(), "<" + f.path() + ">");
                    }
                }
            } else {
                Resolution r = expander.resolve(e.local);
                switch (r) {
                    case Resolution.IsUser u -> lines.putIfAbsent("l:" + u.user().login(), userLine(u.user()));
                    case Resolution.IsAlias a -> lines.putIfAbsent("a:" + a.alias().name(), "<" + a.alias().name() + "@" + host + ">");
                    case Resolution.Unknown u -> {
                        return Replies.userUnknown(e.typed);
                    }
                }
            }
        }
        if (lines.isEmpty()) {
            return Replies.nothingTo(expand ? "EXPN" : "VRFY");
        }
        return Reply.multi(code, "2.1.5", new ArrayList<>(lines.values()));
    }

    private String userLine(User u) {
        String addr = "<" + u.login() + "@" + host + ">";
        return u.fullName() == null ? addr : u.fullName() + " " + addr;
    }

    /** Splits a VRFY/EXPN argument into comma-separated elements, as sendmail's address list. */
    private static List<Element> split(String argument) {
        List<Element> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        int angle = 0;
        for (int i = 0; i < argument.length(); i++) {
            char c = argument.charAt(i);
            if (c == '"' && (i == 0 || argument.charAt(i - 1) != '\\')) {
                quoted = !quoted;
            } else if (!quoted && c == '<') {
                angle++;
            } else if (!quoted && c == '>') {
                angle--;
            } else if (!quoted && angle <= 0 && c == ',') {
                out.add(element(cur.toString()));
                cur.setLength(0);
                continue;
            }
            cur.append(c);
        }
        if (!cur.toString().isBlank() || out.isEmpty()) {
            out.add(element(cur.toString()));
        }
        return out;
    }

    private static Element element(String raw) {
        String typed = raw.strip();
        String s = stripComments(typed).strip();
        if (s.startsWith("<")) {
            if (!s.endsWith(">")) {
                return new Element(typed, null, null, Replies.unbalanced(typed, '<'));
            }
            s = s.substring(1, s.length() - 1).strip();
        } else if (s.endsWith(">")) {
            return new Element(typed, null, null, Replies.unbalanced(typed, '>'));
        }
        if (s.isEmpty()) {
            return new Element(typed, null, null, Replies.userUnknown(typed));
        }
        if (s.endsWith("@")) {
            return new Element(typed, null, null, Replies.hostnameRequired(typed));
        }
        int at = s.lastIndexOf('@');
        if (at > 0 && !s.endsWith("\"")) {
            String local = s.substring(0, at);
            MailAddress a = new MailAddress(unquote(local), s.substring(at + 1));
            return new Element(typed, a.localPart(), a.domain(), null);
        }
        return new Element(typed, unquote(s), null, null);
    }

    private static String unquote(String s) {
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }

    private static String stripComments(String s) {
        StringBuilder sb = new StringBuilder();
        int depth = 0;
        boolean quoted = false;
        for (char c : s.toCharArray()) {
            if (c == '"' && depth == 0) {
                quoted = !quoted;
            }
            if (!quoted && c == '(') {
                depth++;
                continue;
            }
            if (!quoted && c == ')' && depth > 0) {
                depth--;
                continue;
            }
            if (depth == 0) {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
