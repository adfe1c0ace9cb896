package dev.tacit.rules;

import dev.tacit.smtp.Replies;
import dev.tacit.smtp.Reply;
import java.util.ArrayList;
import java.util.List;

/**
 * sendmail's address tokenizer ("prescan", sendmail-privacy.md 14): splits an address, a rule-set
 * input or a side of a rule into {@link Token}s.
 *
 * <p>Operator characters (OperatorChars, default {@value #DEFAULT_OPERATORS}, plus the fixed
 * {@code ()<>,;}) are tokens of their own; runs of other characters are atoms; white space separates;
 * a quoted string is one token, quotes included; a backslash keeps the next character (and itself) in
 * the token. With comment stripping, {@code ( ... )} is dropped. Unbalanced {@code < ( "} are reported
 * and closed; an unbalanced {@code > )} is reported and dropped. These problems are not fatal.
 *
 * <p>Security: the work is bounded by the input length and by sendmail's own limits, which are
 * fatal and leave no tokens: a token longer than {@value #MAX_TOKEN} characters, more than
 * {@value #MAX_TOKENS} tokens, or more storage than the buffer holds (each token costs its length plus
 * one; an address buffer holds {@value #ADDRESS_BUFFER} - 5 bytes). A caller that hides these errors,
 * as sendmail's check_vrfy does, sees "no tokens"; see {@link PolicyCheck} for why Tacit does not.
 */
public final class Tokenizer {

    /** m4's OperatorChars default. */
    public static final String DEFAULT_OPERATORS = ".:%@!^/[]+";
    /** Characters that are always delimiters, whatever OperatorChars says. */
    static final String FIXED_DELIMITERS = "()<>,;\r\n";
    /** MAXNAME: the longest token. */
    public static final int MAX_TOKEN = 256;
    /** MAXATOM: the most tokens. */
    public static final int MAX_TOKENS = 1000;
    /** PSBUFSIZE: token storage for addresses, rule-set input, -bt lines, macro values at run time. */
    public static final int ADDRESS_BUFFER = 256 + 1000;
    /** Token storage when reading a rule (MAXLINE + MAXATOM). */
    public static final int CONFIG_BUFFER = 2048 + 1000;

    /** Which of sendmail's character tables to use. */
    public enum Table {
        /** External text (addresses): comments stripped, 8-bit bytes are atom characters. */
        ADDRESS,
        /** sendmail's internal table, used for check_* input: comments stripped, most 8-bit bytes are operators. */
        INTERNAL,
        /** No comment stripping: parentheses are operators (rules at config level 9+, -bt input). */
        NO_COMMENTS
    }

    /** A tokenizer complaint: the SMTP code, enhanced code (null = the usrerr default) and text. */
    public record Problem(int code, String enhanced, String text) {

        /** The reply sendmail gives: {@code 553 5.0.0 <address>... Unbalanced '<'}. */
        public Reply reply(String address) {
            return Reply.of(code, enhanced != null ? enhanced : Rewriter.defaultEnhanced(code),
                    oneLine(Replies.shorten(address)) + "... " + text);
        }

        /** As -bt prints it: no code, the address in front. */
        public String testModeText(String address) {
            return Replies.shorten(address) + "... " + text;
        }
    }

    static final Problem TOO_LONG = new Problem(553, "5.1.1", "Address too long");
    static final Problem TOO_MANY = new Problem(553, "5.1.0", "prescan: too many tokens");
    static final Problem TOKEN_TOO_LONG = new Problem(553, "5.1.0", "prescan: token too long");

    static Problem unbalanced(char c) {
        return new Problem(553, null, "Unbalanced '" + c + "'");
    }

    /** The outcome of a scan. {@code end} is the index of the delimiter that stopped it, or the length. */
    public sealed interface Scan {
        int end();

        List<Problem> problems();

        /** Tokens (possibly none) and the non-fatal problems seen on the way. */
        record Tokens(List<Token> tokens, int end, List<Problem> problems) implements Scan {}

        /** A limit was hit: no tokens at all. {@code fatal} is also the last of {@code problems}. */
        record Failed(Problem fatal, int end, List<Problem> problems) implements Scan {}
    }

    // character types and state flags, as prescan's state machine uses them
    private static final int OPR = 0;
    private static final int ATM = 1;
    private static final int QST = 2;
    private static final int SPC = 3;
    private static final int ONE = 4;
    private static final int DROP = 0x10;
    private static final int BREAK = 0x20;
    private static final int NONE = -1;
    private static final int END = -2;

    /** Operators inside rule text are carried as private-use characters (see {@link ConfigText}). */
    static final char META_BASE = '\uE000';
    static final char NAME_BASE = '\uE100';

    private final boolean[] operator = new boolean[128];
    private final String operatorChars;

    public Tokenizer() {
        this(DEFAULT_OPERATORS);
    }

    public Tokenizer(String operatorChars) {
        this.operatorChars = operatorChars;
        for (char c : (operatorChars + FIXED_DELIMITERS).toCharArray()) {
            if (c < 128) {
                operator[c] = true;
            }
        }
    }

    public String operatorChars() {
        return operatorChars;
    }

    /** Tokenizes a whole address with comment stripping, as sendmail parses one. */
    public Scan scan(String text) {
        return scan(text, 0, '\0', Table.ADDRESS, false, ADDRESS_BUFFER, null);
    }

    /**
     * The general entry: scans {@code text} from {@code from} until {@code delim} (outside quotes,
     * comments and angle brackets) or the end. {@code ignore} turns off the unbalanced-bracket
     * handling, as sendmail does for rule text.
     */
    public Scan scan(String text, int from, char delim, Table table, boolean ignore, int bufferSize) {
        return scan(text, from, delim, table, ignore, bufferSize, null);
    }

    /**
     * {@code names} non-null means rule text: private-use operator characters from {@link ConfigText}
     * become operator tokens. For anything else (a client's input) they are ordinary characters, so
     * that no input can smuggle an operator into a workspace.
     */
    Scan scan(String text, int from, char delim, Table table, boolean ignore, int bufferSize, List<String> names) {
        boolean ruleText = names != null;
        List<Problem> problems = new ArrayList<>(2);
        List<Token> tokens = new ArrayList<>();
        int limit = bufferSize - 5;
        int used = 0;
        int pos = from;
        int state = ATM;
        int c = NONE;
        boolean bslash = false;
        boolean route = false;
        int comments = 0;
        int angles = 0;
        boolean stripComments = table != Table.NO_COMMENTS;
        StringBuilder tok = new StringBuilder();
        do {
            tok.setLength(0);
            for (;;) {
                // the character that ended the previous token starts this one
                if (c != NONE && c != END && !bslash) {
                    if (used >= limit) {
                        return failed(TOO_LONG, pos, problems);
                    }
                    tok.append((char) (c == 0xff ? 0x7f : c));
                    used++;
                }
                c = pos < text.length() ? text.charAt(pos) : END;
                pos++;
                if (c == '\0') {
                    c = END;
                }
                if (c == END) {
                    if (ignore) {
                        break;
                    } else if (state == QST) {
                        problems.add(unbalanced('"'));
                        c = '"';
                    } else if (comments > 0) {
                        problems.add(unbalanced('('));
                        c = ')';
                    } else if (angles > 0) {
                        problems.add(unbalanced('<'));
                        c = '>';
                    } else {
                        break;
                    }
                    pos--;
                } else if (c == delim && comments <= 0 && state != QST) {
                    if (angles <= 0) {
                        break;
                    }
                    if (delim == ',' && !route && !ignore) {
                        problems.add(unbalanced('<'));
                        c = '>';
                        pos--;
                    }
                }

                if (bslash) {
                    bslash = false;
                    if (comments > 0) {
                        c = NONE;
                        continue;
                    } else if (c != '!' || state == QST) {
                        // the backslash and the escaped character both stay, with no change of state
                        if (used >= limit) {
                            return failed(TOO_LONG, pos, problems);
                        }
                        tok.append('\\');
                        used++;
                        continue;
                    }
                    // "\!" is just "!" (sendmail's kludge for naive users)
                }

                if (c == '\\') {
                    bslash = true;
                } else if (state == QST) {
                    // inside quotes nothing is special
                } else if (c == '(' && stripComments) {
                    comments++;
                    c = NONE;
                } else if (c == ')' && stripComments) {
                    if (comments <= 0) {
                        if (!ignore) {
                            problems.add(unbalanced(')'));
                            c = NONE;
                        }
                    } else {
                        comments--;
                    }
                } else if (comments > 0) {
                    c = NONE;
                } else if (c == '<') {
                    angles++;
                    int p = pos;
                    while (p < text.length() && isSpace(text.charAt(p))) {
                        p++;
                    }
                    if (p < text.length() && text.charAt(p) == '@') {
                        route = true;
                    }
                } else if (c == '>') {
                    if (angles <= 0) {
                        if (!ignore) {
                            problems.add(unbalanced('>'));
                            c = NONE;
                        }
                    } else {
                        angles--;
                    }
                    route = false;
                } else if (delim == ' ' && isSpace(c)) {
                    c = ' ';
                }

                if (c == NONE) {
                    continue;
                }
                if (c == delim && angles <= 0 && state != QST) {
                    break;
                }
                int next = transition(state, type(c, table, ruleText));
                state = next & 0xf;
                if ((next & DROP) != 0) {
                    c = NONE;
                }
                if ((next & BREAK) != 0) {
                    break;
                }
            }
            if (!tok.isEmpty()) {
                if (used >= limit) {
                    return failed(TOO_LONG, pos, problems);
                }
                used++;
                if (tokens.size() >= MAX_TOKENS) {
                    return failed(TOO_MANY, pos, problems);
                }
                if (tok.length() > MAX_TOKEN) {
                    return failed(TOKEN_TOO_LONG, pos, problems);
                }
                tokens.add(ruleText ? toToken(tok, names) : Token.literal(tok.toString()));
            }
        } while (c != END && (c != delim || angles > 0));
        int end = Math.min(Math.max(pos - 1, from), text.length());
        return new Scan.Tokens(tokens, end, problems);
    }

    private static Scan failed(Problem p, int pos, List<Problem> problems) {
        problems.add(p);
        return new Scan.Failed(p, Math.max(pos - 1, 0), problems);
    }

    /** prescan's state table, written out: which state a character moves to, and whether it ends a token. */
    private static int transition(int state, int type) {
        return switch (state) {
            case ATM -> switch (type) {
                case ATM -> ATM;
                case SPC -> SPC | DROP | BREAK;
                default -> type | BREAK;
            };
            case QST -> type == QST ? OPR : QST;
            case SPC -> type == SPC ? SPC | DROP : type;
            case ONE -> OPR;
            default -> type == SPC ? SPC | DROP | BREAK : type | BREAK; // OPR
        };
    }

    private int type(int c, Table table, boolean ruleText) {
        if (ruleText && c >= META_BASE && c < NAME_BASE) {
            Token.Op op = Token.Op.values()[c - META_BASE];
            return switch (op) {
                case IN_CLASS, NOT_IN_CLASS, REPLACE, DEFERRED -> ONE;
                default -> OPR;
            };
        }
        if (c >= META_BASE && c < NAME_BASE + 0x100) {
            return ATM;
        }
        if (c < 128) {
            if (c == ' ' || (c >= '\t' && c <= '\r')) {
                return SPC;
            }
            if (c == '"') {
                return QST;
            }
            if ((c == '(' || c == ')') && table != Table.NO_COMMENTS) {
                return SPC;
            }
            return operator[c] ? OPR : ATM;
        }
        if (c <= 0xff && table != Table.ADDRESS) {
            // sendmail's internal table treats most 8-bit bytes as its own meta characters
            if (c == 0x82 || c == 0x93 || c == 0x94 || c == 0x95 || c == 0xff) {
                return ONE;
            }
            return c < 0xa0 ? OPR : ATM;
        }
        return ATM;
    }

    /** A reply line cannot hold CR or LF (the SMTP reader never passes them, but callers may). */
    static String oneLine(String s) {
        return s.replace('\r', ' ').replace('\n', ' ');
    }

    static boolean isSpace(int c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    private static Token toToken(CharSequence s, List<String> names) {
        char first = s.charAt(0);
        if (first >= META_BASE && first < NAME_BASE) {
            Token.Op op = Token.Op.values()[first - META_BASE];
            if (s.length() == 1) {
                return Token.op(op);
            }
            if (s.length() == 2 && s.charAt(1) >= NAME_BASE && s.charAt(1) - NAME_BASE < names.size()) {
                return new Token(op, names.get(s.charAt(1) - NAME_BASE));
            }
        }
        return Token.literal(plainText(s, names));
    }

    /** Rule text with operators in it (inside quotes, say) as the characters sendmail would print. */
    static String plainText(CharSequence s, List<String> names) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= META_BASE && c < NAME_BASE + 0x100) {
                if (sb == null) {
                    sb = new StringBuilder(s.subSequence(0, i));
                }
                if (c < NAME_BASE) {
                    Token.Op op = Token.Op.values()[c - META_BASE];
                    sb.append('$').append(op.symbol);
                } else if (c - NAME_BASE < names.size()) {
                    String name = names.get(c - NAME_BASE);
                    sb.append(name.length() == 1 ? name : "{" + name + "}");
                }
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? s.toString() : sb.toString();
    }
}
