package dev.tacit.audit;

/**
 * A user the enumeration found.
 *
 * @param name       the name as probed
 * @param method     the method that told it apart
 * @param confidence "certain" (the reply code differs from unknown names') or "likely" (only the text)
 * @param evidence   the server's reply line
 */
public record UserHit(String name, Method method, String confidence, String evidence) {}
