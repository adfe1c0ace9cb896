package dev.tacit.policy;

import static dev.tacit.policy.PrivacyOptions.Flag.AUTHWARNINGS;
import static dev.tacit.policy.PrivacyOptions.Flag.NEEDEXPNHELO;
import static dev.tacit.policy.PrivacyOptions.Flag.NEEDMAILHELO;
import static dev.tacit.policy.PrivacyOptions.Flag.NEEDVRFYHELO;
import static dev.tacit.policy.PrivacyOptions.Flag.NOETRN;
import static dev.tacit.policy.PrivacyOptions.Flag.NOEXPN;
import static dev.tacit.policy.PrivacyOptions.Flag.NOVERB;
import static dev.tacit.policy.PrivacyOptions.Flag.NOVRFY;
import static dev.tacit.policy.PrivacyOptions.Flag.RESTRICTMAILQ;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * PrivacyOptions combined as sendmail combines them (sendmail-privacy.md 5.1, 5.2): any mix of
 * commas and white space, any case, every word OR-ed in, goaway standing for its seven flags and no
 * others, public adding nothing, an unknown word refused by name.
 */
class PrivacyOptionsTest {

    static final EnumSet<PrivacyOptions.Flag> GOAWAY = EnumSet.of(NEEDMAILHELO, NEEDEXPNHELO, NEEDVRFYHELO, NOEXPN, NOVRFY,
            AUTHWARNINGS, NOVERB);

    @Test
    void everyFlagHasItsSendmailName() {
        for (PrivacyOptions.Flag f : PrivacyOptions.Flag.values()) {
            assertThat(PrivacyOptions.parse(f.name().toLowerCase(Locale.ROOT)).flags()).containsExactly(f);
        }
        assertThat(PrivacyOptions.Flag.values()).hasSize(14);
    }

    @Test
    void goawayIsItsSevenFlagsAndNothingElse() {
        assertThat(PrivacyOptions.parse("goaway").flags()).isEqualTo(GOAWAY);
        assertThat(PrivacyOptions.parse("goaway").has(NOETRN)).isFalse();
        assertThat(PrivacyOptions.parse("goaway").has(RESTRICTMAILQ)).isFalse();
    }

    @Test
    void separatorsCaseAndPublicCombineAsSendmailDoes() {
        EnumSet<PrivacyOptions.Flag> want = EnumSet.copyOf(GOAWAY);
        want.add(NOETRN);
        want.add(RESTRICTMAILQ);
        assertThat(PrivacyOptions.parse("goaway,noetrn,restrictmailq").flags()).isEqualTo(want);
        assertThat(PrivacyOptions.parse("GoAway  NoEtrn\trestrictmailq").flags()).isEqualTo(want);
        assertThat(PrivacyOptions.parse(" goaway, noetrn ,, restrictmailq ").flags()).isEqualTo(want);
        // public never clears a flag: it only adds nothing
        assertThat(PrivacyOptions.parse("public").flags()).isEmpty();
        assertThat(PrivacyOptions.parse("novrfy,public").flags()).containsExactly(NOVRFY);
        assertThat(PrivacyOptions.parse("public").plus("noexpn").plus("novrfy").flags()).containsExactlyInAnyOrder(NOEXPN, NOVRFY);
    }

    @Test
    void anUnknownWordIsRefusedByName() {
        assertThatThrownBy(() -> PrivacyOptions.parse("goaway,noverbs")).hasMessage("noverbs unrecognized");
    }

    @Test
    void disabledCommandsFollowTheFlags() {
        assertThat(PrivacyOptions.parse("noexpn").expnOffered()).isFalse();
        assertThat(PrivacyOptions.parse("noexpn").verbOffered()).as("sendmail ties VERB to EXPN").isFalse();
        assertThat(PrivacyOptions.parse("noverb").verbOffered()).isFalse();
        assertThat(PrivacyOptions.parse("noverb").expnOffered()).isTrue();
        assertThat(PrivacyOptions.parse("novrfy").expnOffered()).isTrue();
    }
}
