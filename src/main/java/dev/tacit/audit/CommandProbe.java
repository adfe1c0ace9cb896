package dev.tacit.audit;

/**
 * A probe command (DEBUG, SHOWQ, WIZ, VERB, ETRN) and whether the server treated it differently
 * from a command it does not know.
 *
 * @param command the line sent
 * @param reply   the first reply line, or "(no reply)"
 * @param differs true when the reply's shape differs from an unknown command's
 */
public record CommandProbe(String command, String reply, boolean differs) {}
