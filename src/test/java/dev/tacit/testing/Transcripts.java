package dev.tacit.testing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Normalising transcripts before comparison, as shared/oracle/replay.py does: server host names, the
 * greeting's product text, RFC 822 dates, queue ids, version numbers and the client's identity in
 * HELO/EHLO replies.
 */
public final class Transcripts {

    private Transcripts() {}

    static final Pattern DATE = Pattern.compile("(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\\d{1,2} "
            + "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} \\d{2}:\\d{2}(?::\\d{2})? ?(?:[+-]\\d{4}|[A-Z]{1,5})?(?: \\([A-Za-z0-9+-]+\\))?");
    static final Pattern QID = Pattern.compile("\\b[0-9A-Za-x]{8}\\d{6}\\b");
    static final Pattern VERSION = Pattern.compile("(?i)\\b(version|sendmail) \\d+(?:\\.\\d+)+\\S*");
    static final Pattern BANNER = Pattern.compile("^(S~?: 220[ -])(\\S+)( ESMTP)?.*$");

    /** A unified-style diff of two line lists (LCS), for failure messages; empty when equal. */
    public static String diff(List<String> expected, List<String> actual) {
        int n = expected.size();
        int m = actual.size();
        int[][] lcs = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                lcs[i][j] = expected.get(i).equals(actual.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        StringBuilder sb = new StringBuilder();
        int i = 0;
        int j = 0;
        boolean any = false;
        while (i < n || j < m) {
            if (i < n && j < m && expected.get(i).equals(actual.get(j))) {
                sb.append("  ").append(expected.get(i)).append('\n');
                i++;
                j++;
            } else if (j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j])) {
                sb.append("+ ").append(actual.get(j++)).append('\n');
                any = true;
            } else {
                sb.append("- ").append(expected.get(i++)).append('\n');
                any = true;
            }
        }
        return any ? sb.toString() : "";
    }

    /** Transcript lines normalised; comments dropped, L: lines kept only when {@code logs}. */
    public static List<String> normalize(List<String> lines, boolean logs, String... hostnames) {
        List<String> hosts = new ArrayList<>();
        for (String h : hostnames) {
            if (h != null && !h.isEmpty()) {
                hosts.add(h);
            }
        }
        for (String l : lines) {
            Matcher m = BANNER.matcher(l);
            if (m.matches()) {
                hosts.add(m.group(2));
                break;
            }
        }
        hosts.sort(Comparator.comparingInt(String::length).reversed());
        List<String> res = new ArrayList<>();
        boolean seenBanner = false;
        for (String l : lines) {
            if (l.startsWith("#") || (l.startsWith("L:") && !logs) || !l.matches("^(S|S~|S\\.|C|N|X|L): ?.*")) {
                continue;
            }
            if (l.startsWith("S") && !seenBanner) {
                Matcher m = BANNER.matcher(l);
                if (m.matches()) {
                    res.add(m.group(1) + "<HOST>" + (m.group(3) == null ? "" : m.group(3)) + " <BANNER>");
                    seenBanner = true;
                    continue;
                }
            }
            for (String h : hosts) {
                l = Pattern.compile(Pattern.quote(h), Pattern.CASE_INSENSITIVE).matcher(l).replaceAll("<HOST>");
            }
            l = DATE.matcher(l).replaceAll("<DATE>");
            l = QID.matcher(l).replaceAll("<QID>");
            l = VERSION.matcher(l).replaceAll(mr -> Matcher.quoteReplacement(mr.group(1) + " <VERSION>"));
            l = l.replaceAll("(250 2\\.0\\.0 )\\S+( Message accepted)", "$1<QID>$2");
            l = l.replaceAll("(Hello ).*?(, (?:pleased to meet you|accepting invalid domain name))", "$1<CLIENT>$2");
            l = l.replaceAll("(Lost input channel from ).*$", "$1<CLIENT>");
            l = l.replaceAll("(Rejecting open proxy |HTTP command ).*$", "$1<CLIENT>");
            res.add(l);
        }
        return res;
    }
}
