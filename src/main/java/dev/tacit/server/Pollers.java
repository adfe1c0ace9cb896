package dev.tacit.server;

/**
 * How many read pollers the JDK gives virtual threads blocked on sockets.
 *
 * <p>The JDK's default is one per CPU, each a virtual thread woken by one platform "master" poller.
 * Every ready socket wakes the master and then the sub-poller its descriptor hashes to; with fewer
 * sub-pollers each wake-up collects more sockets. On the 2-CPU benchmark machine one read poller
 * instead of two took the master's CPU per 1 KB message from 0.030 to 0.020 ms and its context
 * switches from 1.6 to 1.1, and the server's CPU per message down about 4% (bench/profile-notes.md,
 * row 22). Only measured on 2 CPUs: larger machines get half the JDK's default, not one.
 *
 * <p>The JDK reads the property once, when the first virtual thread blocks on a socket, so this
 * must run before any listener starts. A value given on the command line is left alone.
 */
public final class Pollers {

    static final String PROPERTY = "jdk.readPollers";

    private Pollers() {}

    /** Sets {@code jdk.readPollers} unless set already; returns the value in force. */
    public static String configure() {
        String given = System.getProperty(PROPERTY);
        if (given != null || System.getProperty("jdk.pollerMode") != null) {
            return given;
        }
        String v = Integer.toString(readPollers(Runtime.getRuntime().availableProcessors()));
        System.setProperty(PROPERTY, v);
        return v;
    }

    /** Half the JDK's default for its virtual-thread pollers (a power of two, at most 32), at least one. */
    static int readPollers(int cpus) {
        return Math.max(1, Math.min(Integer.highestOneBit(Math.max(1, cpus)), 32) / 2);
    }
}
