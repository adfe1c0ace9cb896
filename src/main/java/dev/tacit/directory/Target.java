package dev.tacit.directory;

/** Where an expanded address ends up. */
public sealed interface Target {

    /** A local user's mailbox. */
    record Local(User user) implements Target {}

    /** An address on another host. */
    record Remote(String address) implements Target {}

    /** A {@code |program} target; never run unless explicitly enabled. */
    record Program(String command) implements Target {}

    /** A {@code /file} target; never written unless explicitly enabled. */
    record File(String path) implements Target {}
}
