package dev.tacit.audit;

/**
 * What a wordlist enumeration did.
 *
 * @param method      the method used
 * @param tested      names answered
 * @param found       names found
 * @param unresolved  names left without an answer (4xx after every retry, or never answered)
 * @param seconds     wall time
 * @param connections connections opened
 * @param backoffs    pauses after 4xx replies
 * @param budget      commands per connection learned from the server's slow-down (0: none seen)
 */
public record EnumerationStats(Method method, int tested, int found, int unresolved, double seconds, int connections,
                               int backoffs, int budget) {
    public double perSecond() {
        return seconds <= 0 ? 0 : tested / seconds;
    }
}
