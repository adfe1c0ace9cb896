package dev.tacit.policy;

import dev.tacit.smtp.Reply;
import java.time.Duration;

/**
 * What the policy decided about one command: the reply, a delay before it is sent (tarpits, the
 * uniform latency envelope, sendmail's VRFY slow-down) and whether the session closes after it. The
 * session applies it; handlers never sleep or close on their own.
 */
public record Decision(Reply reply, Duration delay, boolean close) {

    public static Decision of(Reply reply) {
        return new Decision(reply, Duration.ZERO, false);
    }

    public static Decision closing(Reply reply) {
        return new Decision(reply, Duration.ZERO, true);
    }

    public Decision delayed(Duration d) {
        return new Decision(reply, delay.plus(d), close);
    }
}
