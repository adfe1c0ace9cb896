package dev.tacit.directory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.smtp.SmtpClient;

/** What the outage tests check once their directory server is back: answers return without a restart. */
final class BackendRecovery {

    private BackendRecovery() {}

    /**
     * RCPT tj is answered 451 until the connection pool reconnects (bounded: 30 tries, 0.5 s apart),
     * then 250; EXPN staff lists both members again.
     */
    static void assertAnswersAgain(SmtpClient c) throws Exception {
        SmtpClient.Response r = null;
        for (int i = 0; i < 30; i++) {
            r = c.command("RCPT TO:<tj>");
            if (r.code() == 250) {
                break;
            }
            assertThat(r.code()).isEqualTo(451);
            Thread.sleep(500);
        }
        assertThat(r.raw()).containsExactly("250 2.1.5 <tj>... Recipient ok");
        assertThat(c.command("EXPN staff").raw()).containsExactly("250-2.1.5 Thomas Jefferson <tj@mail.example.com>",
                "250 2.1.5 George Washington <gw@mail.example.com>");
    }
}
