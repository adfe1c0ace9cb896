package dev.tacit.config;

/**
 * One configuration key, declared once: its dotted name, type, default (in TOML syntax, or null for
 * "unset") and one-line documentation. {@link Params} is the catalogue; the loader, docs/config.md
 * and {@code tacit lint} all read it.
 */
public record Param(String key, Type type, String defaultValue, String doc) {

    public enum Type {
        STRING, STRING_LIST, INT, BOOL,
        /** bytes: an integer, or a string with a K/M/G suffix ("25M") */
        SIZE,
        /** a string such as "300s", "5m", "250ms", "2h", "5d" */
        DURATION,
        /** a file or folder; relative paths resolve against the config file's folder */
        PATH,
        /** host:port strings; IPv6 hosts in brackets, "[::1]:25" */
        LISTEN_LIST
    }
}
