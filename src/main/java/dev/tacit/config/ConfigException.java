package dev.tacit.config;

/** A configuration error, rendered as one line: {@code file:line: key 'name': what is wrong}. */
public final class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public static ConfigException at(Object file, int line, String key, String message) {
        String where = file == null ? "<config>" : file.toString();
        String pos = line > 0 ? where + ":" + line + ": " : where + ": ";
        return new ConfigException(pos + (key == null ? "" : "key '" + key + "': ") + printable(message));
    }

    /** Control characters from the file (a TOML value may hold newlines or NULs) are shown escaped: one line. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(c == '\n' ? "\\n" : c == '\t' ? "\\t" : String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
