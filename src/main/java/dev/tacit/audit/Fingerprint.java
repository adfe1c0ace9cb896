package dev.tacit.audit;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which MTA a target runs, guessed from its greeting, EHLO keywords, HELP text and the shapes of its
 * replies (peers.md 1.2 and 1.3). Each clue adds points to one product; a product name in the
 * greeting is worth most, reply shapes are what remain when the greeting was changed.
 *
 * @param mta        the best guess, UNKNOWN when nothing matched or two products tie
 * @param version    the version the server disclosed, or null
 * @param confidence "high", "medium" or "low"
 * @param clues      the lines that gave it away, for the report
 */
public record Fingerprint(Mta mta, String version, String confidence, List<String> clues) {

    public Fingerprint {
        clues = List.copyOf(clues);
    }

    private record Clue(Mta mta, int points, Pattern pattern, String what) {}

    private static final List<Clue> CLUES = List.of(
            clue(Mta.SENDMAIL, 10, "\\bsendmail\\b", "names sendmail"),
            clue(Mta.SENDMAIL, 3, "^(250[ -])?\\S+ hello .*, pleased to meet you", "sendmail-style HELO reply"),
            clue(Mta.SENDMAIL, 2, "command unrecognized: \"", "sendmail-style unknown-command reply"),
            clue(Mta.SENDMAIL, 2, "^250[ -]deliverby", "DELIVERBY keyword"),
            clue(Mta.TACIT, 10, "\\btacit\\b", "names Tacit"),
            clue(Mta.TACIT, 3, "^(250[ -])?\\S+ hello .*, pleased to meet you", "sendmail-style HELO reply"),
            clue(Mta.TACIT, 2, "command unrecognized: \"", "sendmail-style unknown-command reply"),
            clue(Mta.TACIT, 8, "this is the mail server of this site", "Tacit's HELP text"),
            clue(Mta.POSTFIX, 10, "\\bpostfix\\b", "names Postfix"),
            clue(Mta.POSTFIX, 4, "error: command not recognized", "Postfix-style unknown-command reply"),
            clue(Mta.POSTFIX, 4, "recipient address rejected", "Postfix-style RCPT rejection"),
            clue(Mta.POSTFIX, 4, "vrfy command is disabled", "Postfix's disabled-VRFY reply"),
            clue(Mta.POSTFIX, 3, "^250[ -]vrfy$", "VRFY keyword in EHLO"),
            clue(Mta.POSTFIX, 2, "^502 5\\.5\\.2 error: command not recognized", "Postfix 502"),
            clue(Mta.EXIM, 10, "\\bexim\\b", "names Exim"),
            clue(Mta.EXIM, 5, "administrative prohibition", "Exim's VRFY/EXPN refusal"),
            clue(Mta.EXIM, 4, "unrouteable address", "Exim's RCPT rejection"),
            clue(Mta.EXIM, 3, "commands supported:", "Exim's HELP"),
            clue(Mta.EXIM, 3, "^250[ -](pipe_connect|pipeconnect|prdr)", "Exim keyword in EHLO"),
            clue(Mta.OPENSMTPD, 10, "\\bopensmtpd\\b", "names OpenSMTPD"),
            clue(Mta.OPENSMTPD, 5, "invalid command: command unrecognized", "OpenSMTPD's unknown-command reply"),
            clue(Mta.OPENSMTPD, 5, "destination address valid", "OpenSMTPD's RCPT reply"),
            clue(Mta.OPENSMTPD, 3, "invalid recipient", "OpenSMTPD's RCPT rejection"),
            clue(Mta.EXCHANGE, 10, "microsoft esmtp mail service|\\bexchange\\b", "names Microsoft Exchange"),
            clue(Mta.EXCHANGE, 6, "^250[ -](x-anonymoustls|x-exps|xexch50|xrdst)", "Exchange keyword in EHLO"),
            clue(Mta.EXCHANGE, 5, "cannot vrfy user, but will take message for", "Exchange's VRFY reply"),
            clue(Mta.JAMES, 10, "\\bjames\\b", "names Apache James"),
            clue(Mta.JAMES, 5, "(vrfy|expn) is not supported", "James's VRFY/EXPN reply"),
            clue(Mta.JAMES, 3, "unknown user: ", "James's RCPT rejection"));

    private static final Pattern VERSION = Pattern.compile(
            "(?i)\\b(sendmail|postfix|exim|opensmtpd|tacit|james[a-z ]*server|version)[ /:v]*(\\d+\\.\\d+(?:\\.\\d+)*)");
    private static final Pattern EXCHANGE_VERSION = Pattern.compile("(?i)microsoft esmtp mail service.*?(?:version:? )?(\\d+\\.\\d+\\.\\d+\\.\\d+)");

    private static Clue clue(Mta m, int points, String regex, String what) {
        return new Clue(m, points, Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.MULTILINE), what);
    }

    /** Identifies the MTA from every server line seen (greeting, EHLO, HELP, probe replies). */
    public static Fingerprint identify(List<String> serverLines) {
        Map<Mta, Integer> score = new EnumMap<>(Mta.class);
        Map<Mta, List<String>> why = new EnumMap<>(Mta.class);
        for (Clue c : CLUES) {
            for (String line : serverLines) {
                if (c.pattern.matcher(line).find()) {
                    score.merge(c.mta, c.points, Integer::sum);
                    why.computeIfAbsent(c.mta, k -> new ArrayList<>()).add(c.what + ": " + line);
                    break;
                }
            }
        }
        Mta best = Mta.UNKNOWN;
        int top = 0;
        boolean tie = false;
        for (var e : score.entrySet()) {
            if (e.getValue() > top) {
                best = e.getKey();
                top = e.getValue();
                tie = false;
            } else if (e.getValue() == top) {
                tie = true;
            }
        }
        if (tie || top == 0) {
            return new Fingerprint(Mta.UNKNOWN, versionIn(serverLines), "low", List.of());
        }
        String conf = top >= 10 ? "high" : top >= 5 ? "medium" : "low";
        return new Fingerprint(best, versionIn(serverLines), conf, why.get(best));
    }

    /** The first "product x.y.z" version disclosed in these lines, or null. */
    public static String versionIn(List<String> lines) {
        for (String l : lines) {
            Matcher m = VERSION.matcher(l);
            if (m.find()) {
                return m.group(2);
            }
            m = EXCHANGE_VERSION.matcher(l);
            if (m.find()) {
                return m.group(1);
            }
        }
        return null;
    }

    /** The line that disclosed the version, for the finding's evidence. */
    public static String versionLine(List<String> lines) {
        for (String l : lines) {
            if (VERSION.matcher(l).find() || EXCHANGE_VERSION.matcher(l).find()) {
                return l;
            }
        }
        return null;
    }

    public String describe() {
        if (mta == Mta.UNKNOWN) {
            return "unknown MTA";
        }
        return mta.display() + (version == null ? "" : " " + version) + " (" + confidence.toLowerCase(Locale.ROOT) + " confidence)";
    }
}
