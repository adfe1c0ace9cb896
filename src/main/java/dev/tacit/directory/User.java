package dev.tacit.directory;

import java.nio.file.Path;

/**
 * A local user: login, full name (null when there is none) and an explicit mailbox folder (null:
 * {@code <data_dir>/mail/<login>}).
 */
public record User(String login, String fullName, Path mailbox) {}
