package dev.tacit.server.command;

import dev.tacit.server.CommandHandler;
import dev.tacit.server.Session;
import dev.tacit.smtp.CommandLine;
import dev.tacit.smtp.Replies;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * HELP as sendmail answers it from its helpfile: the topic (default {@code smtp}) is lower-cased and
 * every line that starts with it is printed after its first blank; an unmatched topic gets 504. The
 * text never names the product version (sendmail-privacy.md 11).
 */
public final class HelpCommand implements CommandHandler {
    @Override
    public void handle(Session s, CommandLine cmd) throws IOException {
        String topic = cmd.argument().strip().toLowerCase(Locale.ROOT);
        if (topic.isEmpty()) {
            topic = "smtp";
        }
        List<String> lines = new ArrayList<>();
        for (String l : s.ctx().helpText()) {
            if (l.startsWith("#") || !l.startsWith(topic)) {
                continue;
            }
            int sep = 0;
            while (sep < l.length() && l.charAt(sep) != ' ' && l.charAt(sep) != '\t') {
                sep++;
            }
            lines.add(sep < l.length() ? l.substring(sep + 1) : "");
        }
        if (lines.isEmpty()) {
            s.reply(Replies.helpTopicUnknown(topic));
            return;
        }
        s.reply(Replies.help(lines));
    }
}
