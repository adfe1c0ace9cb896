package dev.tacit.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The tokenizer's splitting rules, error replies and limits (sendmail-privacy.md 14, 6.3). */
class TokenizerTest {

    private final Tokenizer t = new Tokenizer();

    private List<String> texts(Tokenizer.Scan s) {
        assertThat(s).isInstanceOf(Tokenizer.Scan.Tokens.class);
        return ((Tokenizer.Scan.Tokens) s).tokens().stream().map(Token::text).toList();
    }

    @Test
    void operatorsAreTokensOfTheirOwn() {
        assertThat(texts(t.scan("gw@mail.example.com"))).containsExactly("gw", "@", "mail", ".", "example", ".", "com");
        assertThat(texts(t.scan("a%b!c/d^e:f[g]+h<i>j,k;l"))).containsExactly(
                "a", "%", "b", "!", "c", "/", "d", "^", "e", ":", "f", "[", "g", "]", "+", "h", "<", "i", ">", "j", ",",
                "k", ";", "l");
        assertThat(texts(new Tokenizer(".@").scan("a%b@c"))).containsExactly("a%b", "@", "c");
    }

    @Test
    void quotedStringsBackslashesAndComments() {
        assertThat(texts(t.scan("\"George Washington\"@example.com")))
                .containsExactly("\"George Washington\"", "@", "example", ".", "com");
        assertThat(texts(t.scan("\\tj, x\\@y"))).containsExactly("\\tj", ",", "x\\@y");
        assertThat(texts(t.scan("a\\!b"))).containsExactly("a", "!", "b");
        assertThat(texts(t.scan("gw (the (nested) boss) @ host"))).containsExactly("gw", "@", "host");
        assertThat(texts(t.scan("gw (c) x", 0, '\0', Tokenizer.Table.NO_COMMENTS, false, Tokenizer.ADDRESS_BUFFER)))
                .containsExactly("gw", "(", "c", ")", "x");
    }

    @Test
    void unbalancedBracketsAreReportedAndRepaired() {
        Tokenizer.Scan open = t.scan("<gw");
        assertThat(texts(open)).containsExactly("<", "gw", ">");
        assertThat(open.problems()).hasSize(1);
        assertThat(open.problems().get(0).reply("<gw")).hasToString("553 5.0.0 <gw... Unbalanced '<'");

        Tokenizer.Scan close = t.scan("gw>");
        assertThat(texts(close)).containsExactly("gw");
        assertThat(close.problems().get(0).text()).isEqualTo("Unbalanced '>'");

        assertThat(texts(t.scan("\"open"))).containsExactly("\"open\"");
        assertThat(t.scan("(x").problems().get(0).text()).isEqualTo("Unbalanced '('");
        assertThat(t.scan("x)").problems().get(0).text()).isEqualTo("Unbalanced ')'");

        // rule text ignores all of this
        Tokenizer.Scan rule = t.scan("<x", 0, '\t', Tokenizer.Table.NO_COMMENTS, true, Tokenizer.CONFIG_BUFFER);
        assertThat(texts(rule)).containsExactly("<", "x");
        assertThat(rule.problems()).isEmpty();
    }

    @Test
    void listsStopAtTheDelimiterOutsideBrackets() {
        Tokenizer.Scan first = t.scan("a@b, c", 0, ',', Tokenizer.Table.ADDRESS, false, Tokenizer.ADDRESS_BUFFER);
        assertThat(texts(first)).containsExactly("a", "@", "b");
        assertThat(first.end()).isEqualTo(3);
        Tokenizer.Scan route = t.scan("<@r1,@r2:x@y>, z", 0, ',', Tokenizer.Table.ADDRESS, false,
                Tokenizer.ADDRESS_BUFFER);
        assertThat(texts(route)).containsExactly("<", "@", "r1", ",", "@", "r2", ":", "x", "@", "y", ">");
        assertThat(route.problems()).isEmpty();
    }

    @Test
    void tokenLengthLimitIs256() {
        assertThat(texts(t.scan("x".repeat(256)))).hasSize(1);
        Tokenizer.Scan s = t.scan("x".repeat(257));
        assertThat(s).isInstanceOf(Tokenizer.Scan.Failed.class);
        assertThat(((Tokenizer.Scan.Failed) s).fatal().reply("x".repeat(257)).toString())
                .startsWith("553 5.1.0 " + "x".repeat(100) + "...").endsWith("... prescan: token too long");
    }

    @Test
    void storageLimitIs1251BytesOfTokensPlusTheirNuls() {
        // n times "gw" with n-1 commas costs 3n + 2(n-1) = 5n - 2 bytes
        assertThat(t.scan(list(250))).isInstanceOf(Tokenizer.Scan.Tokens.class);
        Tokenizer.Scan s = t.scan(list(251));
        assertThat(s).isInstanceOf(Tokenizer.Scan.Failed.class);
        assertThat(((Tokenizer.Scan.Failed) s).fatal().reply("gw").toString()).isEqualTo("553 5.1.1 gw... Address too long");
        // the spec's bypass example: 261 copies, 1047 bytes on the wire
        assertThat(t.scan(list(261))).isInstanceOf(Tokenizer.Scan.Failed.class);
    }

    @Test
    void tokenCountLimitIs1000WhenTheBufferAllowsIt() {
        String many = "a ".repeat(1001);
        Tokenizer.Scan s = t.scan(many, 0, '\0', Tokenizer.Table.NO_COMMENTS, false, Tokenizer.CONFIG_BUFFER);
        assertThat(((Tokenizer.Scan.Failed) s).fatal().text()).isEqualTo("prescan: too many tokens");
        assertThat(texts(t.scan("a ".repeat(1000), 0, '\0', Tokenizer.Table.NO_COMMENTS, false,
                Tokenizer.CONFIG_BUFFER))).hasSize(1000);
    }

    @Test
    void eightBitBytesDependOnTheTable() {
        String s = "a\u0085b";
        assertThat(texts(t.scan(s))).containsExactly(s);
        assertThat(texts(t.scan(s, 0, '\0', Tokenizer.Table.INTERNAL, false, Tokenizer.ADDRESS_BUFFER)))
                .containsExactly("a", "\u0085", "b");
    }

    @Test
    void clientInputNeverBecomesAnOperator() {
        // the private-use characters Tacit uses for operators inside rule text are plain characters here
        String sneaky = "\uE009OK \uE000";
        Tokenizer.Scan s = t.scan(sneaky);
        assertThat(((Tokenizer.Scan.Tokens) s).tokens()).allMatch(Token::isLiteral);
        assertThat(texts(s)).containsExactly("\uE009OK", "\uE000");
    }

    private static String list(int n) {
        return "gw, ".repeat(n - 1) + "gw";
    }
}
