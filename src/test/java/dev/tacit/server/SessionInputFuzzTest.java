package dev.tacit.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tacit.smtp.CommandLine;
import dev.tacit.smtp.SmtpInput;
import dev.tacit.testing.ChunkedInput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Fuzzes the session's command-line path without a socket: {@link SmtpInput} with the session's
 * settings (a line limit, overlong lines not consumed), then {@link Session#decode} and
 * {@link CommandLine#parse} and the verb lookup, over any bytes, line limit, buffer size and network
 * fragmentation. Invariants: no line exceeds the limit; CRLF and LF lines give back exactly the bytes
 * received; decoding admits exactly strict UTF-8 without control characters (TAB allowed); the split
 * into verb and argument loses nothing.
 * The first three input bytes choose the line limit, the SmtpInput buffer size and the chunk size.
 */
class SessionInputFuzzTest {

    @FuzzTest(maxDuration = "30s")
    @DictionaryFile(resourcePath = "/dev/tacit/smtp/smtp.dict")
    void lines(byte[] input) throws IOException {
        if (input.length < 3) {
            return;
        }
        int max = 3 + (input[0] & 0xff);
        int bufferSize = 1 + (input[1] & 0x3f);
        int chunk = 1 + (input[2] & 0xff);
        byte[] data = Arrays.copyOfRange(input, 3, input.length);
        SmtpInput in = new SmtpInput(new ChunkedInput(data, chunk), bufferSize);
        int pos = 0;
        for (int guard = 0; guard <= data.length; guard++) {
            SmtpInput.Line line = in.readLine(max, false);
            if (line == null) {
                assertThat(pos).isEqualTo(data.length);
                return;
            }
            assertThat(line.data().length).isLessThanOrEqualTo(max);
            switch (line.end()) {
                case TRUNCATED -> {
                    assertThat(line.overflow()).isTrue();
                    assertThat(Arrays.copyOfRange(data, pos, pos + line.data().length)).isEqualTo(line.data());
                    return; // the session answers 421 and closes
                }
                case EOF -> {
                    assertThat(line.data()).isEqualTo(Arrays.copyOfRange(data, pos, data.length));
                    checkCommand(line.data());
                    assertThat(in.readLine(max, false)).isNull();
                    return;
                }
                case CRLF, LF -> {
                    assertThat(line.overflow()).isFalse();
                    int lf = indexOf(data, pos, (byte) '\n');
                    assertThat(lf).isGreaterThanOrEqualTo(0);
                    boolean crlf = lf > pos && data[lf - 1] == '\r';
                    assertThat(line.end()).isEqualTo(crlf ? SmtpInput.End.CRLF : SmtpInput.End.LF);
                    assertThat(line.data()).isEqualTo(Arrays.copyOfRange(data, pos, crlf ? lf - 1 : lf));
                    assertThat(lf - pos + 1).isLessThanOrEqualTo(max);
                    checkCommand(line.data());
                    pos = lf + 1;
                }
            }
        }
        throw new AssertionError("more lines than bytes");
    }

    private static void checkCommand(byte[] raw) {
        String text = Session.decode(raw);
        boolean controls = false;
        for (byte b : raw) {
            controls |= (b >= 0 && b < 0x20 && b != '\t') || b == 0x7f;
        }
        boolean utf8 = Arrays.equals(new String(raw, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8), raw);
        assertThat(text != null).as("admitted").isEqualTo(!controls && utf8);
        if (text == null) {
            return;
        }
        CommandLine cmd = CommandLine.parse(text);
        assertThat(cmd.line()).isEqualTo(text);
        assertThat(cmd.typed()).doesNotContain(" ", "\t");
        assertThat(cmd.verb()).isEqualTo(cmd.typed().toUpperCase(Locale.ROOT));
        assertThat(cmd.argument()).doesNotStartWith(" ").doesNotStartWith("\t");
        String lead = text.substring(0, text.indexOf(cmd.typed()));
        assertThat(lead.isBlank() || lead.isEmpty()).isTrue();
        String between = text.substring(lead.length() + cmd.typed().length(), text.length() - cmd.argument().length());
        assertThat(between.chars().allMatch(c -> c == ' ' || c == '\t')).isTrue();
        if (cmd.typed().isEmpty()) {
            assertThat(cmd.argument()).isEmpty();
        }
        CommandTable.lookup(cmd.verb());
    }

    private static int indexOf(byte[] d, int from, byte b) {
        for (int i = from; i < d.length; i++) {
            if (d[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
