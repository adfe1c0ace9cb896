package dev.tacit.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.events.MailLog;
import dev.tacit.smtp.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The check_vrfy/check_expn mapping against real sendmail sessions: for every VRFY and EXPN of the
 * r*.scn scenarios under the rule-set variants, {@link PolicyCheck#check} must refuse exactly when
 * sendmail refused, with the same reply, and produce the same {@code ruleset=...} (or
 * {@code SYSERR}) log line; discard and quarantine must be recognised with their log lines; where
 * sendmail let the command through, so must the check. The tokenizer bypass cases (spec 7.3) must be
 * {@link CheckResult.Unchecked} for {@code check} and refused by {@code checkFailClosed}.
 */
class PolicyTranscriptTest {

    private static final Pattern COMMAND_LOG = Pattern.compile(
            "^L: info (?:sm-mta|sendmail): \\w+: (?:localhost \\[127\\.0\\.0\\.1\\]|root@localhost): (VRFY|EXPN)( .*)?$");
    private static final Pattern REPEAT = Pattern.compile("\\{\\{REPEAT:([^:]*):(\\d+)\\}\\}");

    record Command(String verb, String arg, List<String> reply) {}

    @ParameterizedTest
    @CsvSource({
        "tcp, rs_results, r01_rs_results_a", "tcp, rs_results, r02_rs_results_b",
        "tcp, rs_more, r08_rs_more_a", "tcp, rs_more, r09_rs_more_b", "tcp, rs_more, r10_rs_more_c",
        "tcp, rs_more, r11_rs_more_d",
        "tcp, rs_selective, r03_rs_local_forms", "tcp, rs_selective, r04_rs_other_forms",
        "tcp, rs_selective, r05_rs_odd_args", "tcp, rs_selective, r06_rs_bypass_vrfy",
        "tcp, rs_selective, r07_rs_bypass_expn",
        "tcp, rs_forbid, r03_rs_local_forms", "tcp, rs_forbid, r04_rs_other_forms", "tcp, rs_forbid, r05_rs_odd_args",
        "tcp, rs_forbid, r06_rs_bypass_vrfy", "tcp, rs_forbid, r07_rs_bypass_expn",
        "tcp, default, r03_rs_local_forms", "tcp, default, r06_rs_bypass_vrfy",
        "bs, rs_selective, r03_rs_local_forms", "bs, rs_selective, r04_rs_other_forms",
        "bs, rs_selective, r05_rs_odd_args", "bs, rs_selective, r07_rs_bypass_expn"})
    void checkMatchesSendmail(String mode, String variant, String scenario) throws Exception {
        String relay = mode.equals("bs") ? "root@localhost" : "localhost [127.0.0.1]";
        RuleSets sets = Oracle.load(variant, false);
        PolicyCheck policy = new PolicyCheck(sets, Oracle.env(sets));
        List<String> transcript = Oracle.read("transcripts/" + mode + "/" + variant + "/" + scenario + ".txt").lines().toList();
        List<Command> commands = commands(Oracle.read("scenarios/" + scenario + ".scn"), transcript);
        List<List<String>> logs = logsPerCommand(transcript);
        assertThat(logs).hasSameSizeAs(commands);
        int checked = 0;
        for (int i = 0; i < commands.size(); i++) {
            Command c = commands.get(i);
            String ruleset = c.verb().equals("VRFY") ? "check_vrfy" : "check_expn";
            CheckResult r = policy.check(ruleset, c.arg());
            List<String> log = logs.get(i);
            String what = variant + "/" + scenario + ": " + c.verb() + " " + abbreviate(c.arg());
            String policyLine = log.stream().filter(l -> l.startsWith("ruleset=") || l.startsWith("SYSERR")).findFirst()
                    .orElse(null);
            if (policyLine == null) {
                assertThat(r).as(what).isInstanceOfAny(CheckResult.Accept.class, CheckResult.NotDefined.class,
                        CheckResult.Unchecked.class);
                if (r instanceof CheckResult.Unchecked) {
                    failClosed(policy, ruleset, c, what);
                }
                continue;
            }
            assertThat(PolicyCheck.logEntry(ruleset, relay, r)).as(what).isPresent();
            // the log writer escapes as sendmail's syslog does (a backslash doubled)
            assertThat(MailLog.escape(PolicyCheck.logEntry(ruleset, relay, r).get().text())).as(what)
                    .isEqualTo(policyLine);
            if (r instanceof CheckResult.Reject rej) {
                assertThat(wireLines(rej.reply())).as(what).isEqualTo(c.reply());
                checked++;
            } else {
                assertThat(r).as(what).isInstanceOfAny(CheckResult.Discard.class, CheckResult.Quarantine.class);
            }
        }
        if (transcript.stream().anyMatch(l -> l.contains("reject="))) {
            assertThat(checked).as("refusals compared").isPositive();
        }
    }

    /** Tacit closes the hole: an argument sendmail's rule-set tokenizer rejects is refused. */
    private static void failClosed(PolicyCheck policy, String ruleset, Command c, String what) {
        CheckResult closed = policy.checkFailClosed(ruleset, c.arg());
        if (!policy.isDefined(ruleset)) {
            assertThat(closed).isInstanceOf(CheckResult.NotDefined.class);
            return;
        }
        assertThat(closed).as(what).isInstanceOf(CheckResult.Reject.class);
        List<String> elements = PolicyCheck.elements(c.arg());
        CheckResult first = policy.check(ruleset, elements.get(0));
        Reply expected = first instanceof CheckResult.Reject rej ? rej.reply()
                : ((CheckResult.Unchecked) first).problem().reply(elements.get(0));
        assertThat(((CheckResult.Reject) closed).reply()).as(what).isEqualTo(expected);
    }

    static List<String> wireLines(Reply r) {
        String w = r.toWire();
        return List.of(w.substring(0, w.length() - 2).split("\r\n"));
    }

    /** VRFY/EXPN commands with their full arguments (from the scenario) and recorded reply lines. */
    static List<Command> commands(String scenario, List<String> transcript) {
        List<String> sent = new ArrayList<>();
        for (String l : scenario.lines().toList()) {
            if (l.startsWith("C: ")) {
                Matcher m = REPEAT.matcher(l.substring(3));
                StringBuilder sb = new StringBuilder();
                while (m.find()) {
                    m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1).repeat(Integer.parseInt(m.group(2)))));
                }
                m.appendTail(sb);
                sent.add(sb.toString());
            }
        }
        List<Command> out = new ArrayList<>();
        int k = -1;
        for (int i = 0; i < transcript.size(); i++) {
            String l = transcript.get(i);
            if (!l.startsWith("C: ")) {
                continue;
            }
            k++;
            String line = sent.get(k);
            String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase(java.util.Locale.ROOT) : "";
            if (!(verb.equals("VRFY") || verb.equals("EXPN")) || line.length() <= 5) {
                continue;
            }
            List<String> reply = new ArrayList<>();
            for (int j = i + 1; j < transcript.size() && transcript.get(j).startsWith("S: "); j++) {
                reply.add(unescape(transcript.get(j).substring(3)));
            }
            out.add(new Command(verb, line.substring(5).stripLeading(), reply));
        }
        return out;
    }

    /** The L: lines after each logged VRFY/EXPN line, up to the next one, with level and queue id removed. */
    static List<List<String>> logsPerCommand(List<String> transcript) {
        List<List<String>> out = new ArrayList<>();
        for (String l : transcript) {
            if (COMMAND_LOG.matcher(l).matches()) {
                out.add(new ArrayList<>());
            } else if (l.startsWith("L: ") && !out.isEmpty()) {
                String text = l.replaceFirst("^L: \\w+ (sm-mta|sendmail): ", "").replaceFirst("^\\w{14}: (SYSERR)", "$1");
                out.get(out.size() - 1).add(text);
            }
        }
        return out;
    }

    /** Undoes replay.py's escaping of server lines: a doubled backslash, and \\xNN for other bytes. */
    static String unescape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length() && s.charAt(i + 1) == '\\') {
                sb.append('\\');
                i++;
            } else if (c == '\\' && i + 3 < s.length() && s.charAt(i + 1) == 'x') {
                sb.append((char) Integer.parseInt(s.substring(i + 2, i + 4), 16));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "...(" + s.length() + ")" : s;
    }
}
