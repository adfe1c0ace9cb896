package dev.tacit.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the address tokenizer and the list splitter: whatever the bytes, the result is tokens within
 * sendmail's limits or a clean {@link Tokenizer.Problem}, never an exception. In a normal build this
 * replays the committed inputs in TokenizerFuzzTestInputs/; {@code JAZZER_FUZZ=1} fuzzes.
 */
class TokenizerFuzzTest {

    private static final Tokenizer TOKENIZER = new Tokenizer();

    @FuzzTest(maxDuration = "30s")
    void tokenize(byte[] data) {
        String s = new String(data, StandardCharsets.ISO_8859_1);
        for (Tokenizer.Table table : Tokenizer.Table.values()) {
            for (char delim : new char[] {'\0', ',', '\t'}) {
                for (boolean ignore : new boolean[] {false, true}) {
                    check(s, TOKENIZER.scan(s, 0, delim, table, ignore, Tokenizer.ADDRESS_BUFFER));
                }
            }
        }
        for (String e : PolicyCheck.elements(s)) {
            assertThat(s).contains(e);
        }
    }

    private static void check(String s, Tokenizer.Scan scan) {
        assertThat(scan.end()).isBetween(0, s.length());
        for (Tokenizer.Problem p : scan.problems()) {
            assertThat(p.code()).isEqualTo(553);
            assertThat(p.reply(s).toWire()).startsWith("553 ");
        }
        if (scan instanceof Tokenizer.Scan.Tokens t) {
            assertThat(t.tokens()).hasSizeLessThanOrEqualTo(Tokenizer.MAX_TOKENS);
            int storage = 0;
            for (Token tok : t.tokens()) {
                assertThat(tok.isLiteral()).isTrue();
                assertThat(tok.text()).isNotEmpty().hasSizeLessThanOrEqualTo(Tokenizer.MAX_TOKEN);
                storage += tok.text().length() + 1;
            }
            assertThat(storage).isLessThanOrEqualTo(Tokenizer.ADDRESS_BUFFER - 5);
        } else {
            assertThat(((Tokenizer.Scan.Failed) scan).fatal().text()).startsWith("");
        }
    }
}
