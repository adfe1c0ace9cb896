package dev.tacit.directory;

/** What a local name is, for RCPT and VRFY (which do not expand). */
public sealed interface Resolution {
    record IsUser(User user) implements Resolution {}

    record IsAlias(Alias alias) implements Resolution {}

    record Unknown(String name) implements Resolution {}

    default boolean exists() {
        return !(this instanceof Unknown);
    }
}
