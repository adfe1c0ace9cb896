package dev.tacit.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.testing.ChunkedInput;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The eight-at-a-time byte search, and the line view built on it, against plain byte-by-byte models. */
class BytesTest {

    @Test
    void indexOfMatchesAPlainLoopOnEveryRangeAndByteValue() {
        Random rnd = new Random(7);
        for (int round = 0; round < 3000; round++) {
            byte[] a = new byte[rnd.nextInt(70)];
            for (int i = 0; i < a.length; i++) {
                // few distinct values, so matches are frequent; 0x80 and 0xff catch sign mistakes
                a[i] = (byte) new int[] {0x0d, 0x0a, 0x80, 0xff, 0x00, 0x0c, 0x0e, 0x8d}[rnd.nextInt(8)];
            }
            int from = a.length == 0 ? 0 : rnd.nextInt(a.length + 1);
            int to = from + rnd.nextInt(a.length - from + 1);
            for (byte b : new byte[] {0x0d, 0x0a, (byte) 0x80, (byte) 0xff, 0x00, 0x41}) {
                int expected = -1;
                for (int i = from; i < to; i++) {
                    if (a[i] == b) {
                        expected = i;
                        break;
                    }
                }
                assertThat(Bytes.indexOf(a, from, to, b)).as("round %d byte %d range [%d,%d)", round, b, from, to).isEqualTo(expected);
            }
        }
    }

    @Test
    void lineViewReadsTheSameLinesAsTheCopyingReader() throws Exception {
        Random rnd = new Random(11);
        byte[] alphabet = {'\r', '\n', 'x', 'y', '.', ' ', 'z', 'w', 'v', 'u'};
        for (int round = 0; round < 1500; round++) {
            byte[] data = new byte[rnd.nextInt(3000)];
            for (int i = 0; i < data.length; i++) {
                data[i] = alphabet[rnd.nextInt(alphabet.length)];
            }
            int max = 3 + rnd.nextInt(300);
            int buffer = 1 + rnd.nextInt(rnd.nextBoolean() ? 64 : 8192);
            int chunk = 1 + rnd.nextInt(2000);
            SmtpInput copying = new SmtpInput(new ChunkedInput(data, chunk), buffer);
            SmtpInput viewing = new SmtpInput(new ChunkedInput(data, chunk), buffer);
            List<String> expected = new ArrayList<>();
            for (SmtpInput.Line l; (l = copying.readLine(max, true)) != null; ) {
                String text = new String(l.data(), java.nio.charset.StandardCharsets.ISO_8859_1);
                expected.add(text + "|" + l.end() + "|" + l.overflow() + "|" + l.length() + "|" + (text.indexOf('\r') >= 0));
            }
            List<String> actual = new ArrayList<>();
            SmtpInput.View v = new SmtpInput.View();
            while (viewing.readLine(max, v)) {
                if (v.crlfFollows()) {
                    assertThat(new String(v.data(), v.off() + v.len(), 2, java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo("\r\n");
                }
                actual.add(new String(v.data(), v.off(), v.len(), java.nio.charset.StandardCharsets.ISO_8859_1) + "|" + v.end() + "|"
                        + v.overflow() + "|" + v.length() + "|" + v.hasBareCr());
            }
            assertThat(actual).as("round %d max %d buffer %d chunk %d", round, max, buffer, chunk).isEqualTo(expected);
            assertThat(viewing.totalRead()).isEqualTo(copying.totalRead());
        }
    }
}
