package dev.tacit.smtp;

import java.util.Locale;

/**
 * A command line split as sendmail splits it (srvrsmtp.c): leading white space skipped, the verb runs
 * to the next white space, white space after it skipped, the rest is the argument.
 *
 * @param line     the whole line as received, without CRLF (echoed in 500/502 replies)
 * @param verb     the verb in upper case
 * @param typed    the verb as the client typed it ({@code HELO requires domain address} echoes it)
 * @param argument the argument, possibly empty, trailing white space kept
 */
public record CommandLine(String line, String verb, String typed, String argument) {

    public static CommandLine parse(String line) {
        int i = 0;
        int n = line.length();
        while (i < n && isSpace(line.charAt(i))) {
            i++;
        }
        int start = i;
        while (i < n && !isSpace(line.charAt(i))) {
            i++;
        }
        String typed = line.substring(start, i);
        while (i < n && isSpace(line.charAt(i))) {
            i++;
        }
        return new CommandLine(line, typed.toUpperCase(Locale.ROOT), typed, line.substring(i));
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }

    public boolean hasArgument() {
        return !argument.isBlank();
    }
}
