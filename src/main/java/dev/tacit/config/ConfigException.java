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
        return new ConfigException(pos + (key == null ? "" : "key '" + key + "': ") + message);
    }
}
