package dev.tacit.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** RFC 3461's xtext and the stored parameter forms the spool keeps and reports read. */
class DsnParametersTest {

    @Test
    void xtextRoundTripsAnyText() {
        Random rnd = new Random(3461);
        for (int i = 0; i < 2000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = rnd.nextInt(40);
            for (int k = 0; k < n; k++) {
                sb.append((char) (32 + rnd.nextInt(95)));
            }
            String s = sb.toString();
            String x = DsnParameters.xtextEncode(s);
            assertThat(DsnParameters.xtextOk(x)).as(x).isTrue();
            assertThat(DsnParameters.xtextDecode(x)).isEqualTo(s);
        }
        assertThat(DsnParameters.xtextEncode("a+b=c d")).isEqualTo("a+2Bb+3Dc+20d");
        assertThat(DsnParameters.xtextOk("a+2b")).as("hex digits are upper case").isFalse();
        assertThat(DsnParameters.xtextOk("a+2")).isFalse();
        assertThat(DsnParameters.xtextOk("a=b")).isFalse();
        assertThat(DsnParameters.xtextDecode("evil+0D+0AX-Header:+20x")).as("no line breaks come out").isEqualTo("evil??X-Header: x");
    }

    @Test
    void storedParametersAreReadBack() {
        DsnParameters.Recipient r = DsnParameters.recipient("NOTIFY=SUCCESS,DELAY ORCPT=rfc822;a+2Bb@example.org");
        assertThat(r.notifyOn()).isEqualTo(EnumSet.of(DsnParameters.Notify.SUCCESS, DsnParameters.Notify.DELAY));
        assertThat(r.onFailure()).isFalse();
        assertThat(r.onSuccess()).isTrue();
        assertThat(r.originalRecipient()).isEqualTo("rfc822;a+b@example.org");
        assertThat(DsnParameters.recipient("").onFailure()).as("the default reports failures").isTrue();
        assertThat(DsnParameters.recipient("").onSuccess()).isFalse();
        DsnParameters.Recipient never = DsnParameters.recipient("NOTIFY=NEVER");
        assertThat(never.onFailure()).isFalse();
        assertThat(never.onSuccess()).isFalse();

        DsnParameters.Mail m = DsnParameters.mail("BODY=8BITMIME RET=hdrs ENVID=id+2B1");
        assertThat(m.headersOnly()).isTrue();
        assertThat(m.envid()).isEqualTo("id+2B1");
        assertThat(m.envidDecoded()).isEqualTo("id+1");
        assertThat(DsnParameters.mail("").ret()).isNull();
    }
}
