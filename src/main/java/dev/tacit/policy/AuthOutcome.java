package dev.tacit.policy;

/** The policy's answer to AUTH credentials: the decision to apply, and the login when they were right. */
public record AuthOutcome(Decision decision, String login) {
    public boolean ok() {
        return login != null;
    }
}
