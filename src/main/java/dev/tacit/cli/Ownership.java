package dev.tacit.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;

/**
 * sendmail's restrictmailq / restrictqrun / restrictexpand, for Tacit's nearest equivalents: only the
 * owner of the data folder (or root) may list the queue, start a queue run or expand addresses.
 */
final class Ownership {

    private Ownership() {}

    static void require(Path dataDir, String flag, String what) {
        String me = System.getProperty("user.name");
        if ("root".equals(me)) {
            return;
        }
        UserPrincipal owner;
        try {
            owner = Files.getOwner(dataDir);
        } catch (IOException e) {
            throw new CliException("cannot read the owner of " + dataDir + ": " + e.getMessage(), 1);
        }
        if (!owner.getName().equals(me)) {
            throw new CliException("permission denied: " + flag + " is set; only " + owner.getName() + " (the owner of " + dataDir
                    + ") may " + what, 1);
        }
    }
}
