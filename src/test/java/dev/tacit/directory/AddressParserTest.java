package dev.tacit.directory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.directory.AddressParser.Invalid;
import dev.tacit.directory.AddressParser.Local;
import dev.tacit.directory.AddressParser.Parsed;
import dev.tacit.directory.AddressParser.Syntax;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** sendmail's list splitting and prescan limits, and robustness against arbitrary input. */
class AddressParserTest {

    private final AddressParser p = new AddressParser(FileDirectoryTest.DOMAINS);

    @Test
    void splitsOnlyOnTopLevelCommas() {
        assertThat(p.parseList("gw, \"a,b\", (c,d) tj, <e@x, f>, ,bf")).extracting(Parsed::typed)
                .containsExactly("gw", "\"a,b\"", "(c,d) tj", "<e@x, f>", "bf");
        assertThat(p.parseList(" , ,")).isEmpty();
    }

    @Test
    void prescanLimitsAreSendmails() {
        // a token of 256 characters is fine, 257 is not
        assertThat(p.parse("a".repeat(256))).isInstanceOf(Local.class);
        assertThat(p.parse("a".repeat(257))).isEqualTo(new Invalid("a".repeat(257), Syntax.TOKEN_TOO_LONG, ' '));
        // each token costs its length plus one byte: 624 one-character tokens (1248 bytes) and "bc"
        // (3 bytes) make 1251, the most prescan holds; one character more is too long
        assertThat(p.parse("a.".repeat(312) + "bc")).isInstanceOf(Local.class);
        assertThat(p.parse("a.".repeat(312) + "bcd")).isEqualTo(new Invalid("a.".repeat(312) + "bcd", Syntax.ADDRESS_TOO_LONG, ' '));
        assertThat(p.parse("a.".repeat(700))).extracting(x -> ((Invalid) x).syntax()).isEqualTo(Syntax.ADDRESS_TOO_LONG);
    }

    @Test
    void unbalancedCharactersAreNamed() {
        for (String[] c : new String[][] {{"<gw", "<"}, {"gw>", ">"}, {"\"gw", "\""}, {"gw (x", "("}, {"gw)", ")"}}) {
            Parsed r = p.parse(c[0]);
            assertThat(r).as(c[0]).isInstanceOf(Invalid.class);
            assertThat(((Invalid) r).bad()).as(c[0]).isEqualTo(c[1].charAt(0));
        }
    }

    @Test
    void localNamesFoldAndKeepTheirBackslash() {
        assertThat(p.parse("\\GW")).isEqualTo(new Local("\\GW", "\\gw"));
        assertThat(p.parse("\"G W\"@Example.COM")).isEqualTo(new Local("\"G W\"@Example.COM", "g w"));
        assertThat(p.parse("George Washington")).isEqualTo(new Local("George Washington", "george washington"));
    }

    /** Random input never throws, and every element is either a valid address or a syntax error. */
    @Test
    void survivesArbitraryInput() throws Exception {
        Random r = new Random(7);
        String alphabet = "ab\"\\<>(),;:@.[]|/ \t%!+éx\u0000";
        Expander x = new Expander(new ExpanderTest.MapDirectory().user("ab", "A B").alias("a", "ab, \"b\", <ab@x>"), FileDirectoryTest.DOMAINS);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = r.nextInt(40);
            for (int k = 0; k < n; k++) {
                sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            String s = sb.toString();
            List<Parsed> list = p.parseList(s);
            for (Parsed e : list) {
                assertThat(e.typed()).isNotEmpty();
            }
            Expansion v = x.run(s, Expander.Mode.EXPAND);
            assertThat(v.ok() || v.entries().isEmpty()).as(s).isTrue();
        }
    }
}
