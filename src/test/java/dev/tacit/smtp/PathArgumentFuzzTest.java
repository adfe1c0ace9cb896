package dev.tacit.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Fuzzes the MAIL/RCPT argument parser (RFC 5321 4.1.1.2, 4.1.1.3, 4.1.2) with every argument a
 * session can hand it (strict UTF-8, no control characters but TAB, as {@code Session} admits).
 * Invariants: a result or a well-formed 4xx/5xx reply, never both, never an exception; parameters are
 * upper-case keywords with printable values; and an accepted mailbox survives the round trip through
 * its RFC 5321 text form (it is written that way into the journal, the log and Received:).
 */
class PathArgumentFuzzTest {

    @FuzzTest(maxDuration = "30s")
    @DictionaryFile(resourcePath = "/dev/tacit/smtp/smtp.dict")
    void parse(byte[] data) {
        String s = sessionText(data);
        if (s == null) {
            return;
        }
        check(s, "FROM", PathArgument.Kind.SENDER);
        check(s, "TO", PathArgument.Kind.RECIPIENT);
    }

    private static void check(String arg, String keyword, PathArgument.Kind kind) {
        PathArgument.Result r = PathArgument.parse(arg, keyword, kind);
        if (!r.ok()) {
            assertThat(r.address()).isNull();
            String wire = r.error().toWire();
            assertThat(wire).endsWith("\r\n");
            for (String line : wire.substring(0, wire.length() - 2).split("\r\n", -1)) {
                // [^\r\n], not '.': a reply may echo U+0085 or U+2028, which are text on the SMTP wire
                assertThat(line).matches("[45]\\d\\d[ -][^\r\n]*");
            }
            return;
        }
        assertThat(r.params()).isNotNull();
        for (Map.Entry<String, String> p : r.params().entrySet()) {
            assertThat(p.getKey()).matches("[A-Z0-9][A-Z0-9-]*");
            if (p.getValue() != null) {
                assertThat(p.getValue().chars().allMatch(c -> c > 32 && c != '=' && c != 127)).isTrue();
            }
        }
        assertThat(arg).contains(r.echo());
        if (r.nullPath()) {
            assertThat(kind).isEqualTo(PathArgument.Kind.SENDER);
            assertThat(r.address()).isNull();
            return;
        }
        MailAddress a = r.address();
        assertThat(a).isNotNull();
        String text = a.toString();
        assertThat(PathArgument.parseMailbox(text)).as("round trip of %s", text).isEqualTo(a);
        assertThat(text.chars().noneMatch(c -> c < 32 || c == 127)).as("control characters in %s", text).isTrue();
    }

    /** The line as Session admits it: strict UTF-8, no control characters but TAB; null otherwise. */
    static String sessionText(byte[] data) {
        for (byte b : data) {
            if ((b >= 0 && b < 0x20 && b != '\t') || b == 0x7f) {
                return null;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
