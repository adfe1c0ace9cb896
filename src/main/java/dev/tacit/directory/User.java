package dev.tacit.directory;

import java.nio.file.Path;

/**
 * A local user: login, full name (null when there is none) and an explicit mailbox folder (null:
 * {@code <data_dir>/mail/<login>}).
 */
public record User(String login, String fullName, Path mailbox) {

    /**
     * The full name from a passwd(5) GECOS field, as sendmail reads it: up to the first comma, each
     * {@code &} replaced by the login with its first letter in upper case; null when empty.
     */
    public static String gecosName(String gecos, String login) {
        int comma = gecos.indexOf(',');
        String name = comma >= 0 ? gecos.substring(0, comma) : gecos;
        if (name.indexOf('&') >= 0 && !login.isEmpty()) {
            name = name.replace("&", Character.toUpperCase(login.charAt(0)) + login.substring(1));
        }
        return name.isEmpty() ? null : name;
    }
}
