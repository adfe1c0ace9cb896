package dev.tacit.queue;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Queue ids in sendmail's shape, 8 base-60 characters then 6 digits ({@code 6AMCdnSH001732}), so
 * log-parsing tools and transcript normalisers written for sendmail recognise them. The first six
 * characters encode the time (year, month, day, hour, minute, second); the rest is a counter that
 * starts at a random point, so ids stay unique across restarts within the same second.
 */
public final class QueueIds {

    private static final char[] BASE60 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx".toCharArray();

    private final AtomicLong counter = new AtomicLong(ThreadLocalRandom.current().nextLong(0, 3_600_000_000L));

    public String next() {
        ZonedDateTime t = ZonedDateTime.now(ZoneOffset.UTC);
        long c = Math.floorMod(counter.getAndIncrement(), 3_600_000_000L);
        char[] id = new char[14];
        id[0] = BASE60[Math.floorMod(t.getYear() - 1900, 60)];
        id[1] = BASE60[t.getMonthValue() - 1];
        id[2] = BASE60[t.getDayOfMonth()];
        id[3] = BASE60[t.getHour()];
        id[4] = BASE60[t.getMinute()];
        id[5] = BASE60[t.getSecond() % 60];
        long seq = c / 1_000_000;
        id[6] = BASE60[(int) (seq / 60)];
        id[7] = BASE60[(int) (seq % 60)];
        long digits = c % 1_000_000;
        for (int i = 13; i >= 8; i--) {
            id[i] = (char) ('0' + digits % 10);
            digits /= 10;
        }
        return new String(id);
    }

    public static boolean isValid(String id) {
        return id != null && id.matches("[0-9A-Za-x]{8}\\d{6}");
    }
}
