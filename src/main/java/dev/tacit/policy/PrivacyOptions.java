package dev.tacit.policy;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * sendmail's PrivacyOptions (option {@code p}, m4 {@code confPRIVACY_FLAGS}), parsed and combined as
 * sendmail does: words separated by any mix of white space and punctuation, matched without regard to
 * case, each OR-ed into the set; nothing ever clears a flag, so {@code public} adds nothing; an
 * unknown word is an error. {@code goaway} stands for needmailhelo, needexpnhelo, needvrfyhelo,
 * noexpn, novrfy, authwarnings and noverb (sendmail-privacy.md 5.2).
 */
public final class PrivacyOptions {

    public enum Flag {
        NEEDMAILHELO, NEEDEXPNHELO, NEEDVRFYHELO, NOEXPN, NOVRFY, AUTHWARNINGS, NOVERB,
        RESTRICTMAILQ, RESTRICTQRUN, RESTRICTEXPAND, NOETRN, NOBODYRETURN, NORECEIPTS, NOACTUALRECIPIENT
    }

    private static final Set<Flag> GOAWAY = EnumSet.of(Flag.NEEDMAILHELO, Flag.NEEDEXPNHELO, Flag.NEEDVRFYHELO,
            Flag.NOEXPN, Flag.NOVRFY, Flag.AUTHWARNINGS, Flag.NOVERB);

    public static final PrivacyOptions PUBLIC = new PrivacyOptions(EnumSet.noneOf(Flag.class), "public");

    private final Set<Flag> flags;
    private final String spelling;

    private PrivacyOptions(Set<Flag> flags, String spelling) {
        this.flags = flags.isEmpty() ? EnumSet.noneOf(Flag.class) : EnumSet.copyOf(flags);
        this.spelling = spelling;
    }

    /** Parses a PrivacyOptions value; throws with the offending word when one is unknown. */
    public static PrivacyOptions parse(String value) {
        return PUBLIC.plus(value);
    }

    /** This set plus the flags of another value (sendmail accumulates repeated options). */
    public PrivacyOptions plus(String value) {
        EnumSet<Flag> set = flags.isEmpty() ? EnumSet.noneOf(Flag.class) : EnumSet.copyOf(flags);
        for (String word : words(value)) {
            String w = word.toLowerCase(Locale.ROOT);
            switch (w) {
                case "public" -> { }
                case "goaway" -> set.addAll(GOAWAY);
                default -> {
                    Flag f = byName(w);
                    if (f == null) {
                        throw new IllegalArgumentException(word + " unrecognized");
                    }
                    set.add(f);
                }
            }
        }
        String sp = spelling.equals("public") ? value.strip() : spelling + "," + value.strip();
        return new PrivacyOptions(set, sp);
    }

    static List<String> words(String value) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (char c : value.toCharArray()) {
            boolean sep = Character.isWhitespace(c) || (c < 128 && !Character.isLetterOrDigit(c));
            if (sep) {
                if (!cur.isEmpty()) {
                    out.add(cur.toString());
                    cur.setLength(0);
                }
            } else {
                cur.append(c);
            }
        }
        if (!cur.isEmpty()) {
            out.add(cur.toString());
        }
        return out;
    }

    private static Flag byName(String w) {
        for (Flag f : Flag.values()) {
            if (f.name().toLowerCase(Locale.ROOT).equals(w)) {
                return f;
            }
        }
        return null;
    }

    public boolean has(Flag f) {
        return flags.contains(f);
    }

    public Set<Flag> flags() {
        return EnumSet.copyOf(flags.isEmpty() ? EnumSet.noneOf(Flag.class) : flags);
    }

    /** EXPN is offered (and advertised) unless noexpn. */
    public boolean expnOffered() {
        return !has(Flag.NOEXPN);
    }

    /** VERB is offered unless noexpn or noverb (sendmail ties VERB to EXPN). */
    public boolean verbOffered() {
        return !has(Flag.NOEXPN) && !has(Flag.NOVERB);
    }

    public String spelling() {
        return spelling;
    }

    @Override
    public String toString() {
        return spelling;
    }
}
