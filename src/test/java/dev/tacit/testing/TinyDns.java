package dev.tacit.testing;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * An authoritative DNS server for tests on a free UDP port of 127.0.0.1, answering from records
 * the test adds (dnsjava builds and parses the messages). A name with no records at all is NXDOMAIN;
 * a name in {@link #failing} answers SERVFAIL. Each answer is small, so UDP is enough.
 */
public final class TinyDns implements AutoCloseable {

    private final DatagramSocket socket;
    private final Map<Name, List<Record>> records = new ConcurrentHashMap<>();
    private final java.util.Set<Name> failing = ConcurrentHashMap.newKeySet();
    private final AtomicInteger queries = new AtomicInteger();
    private final Thread thread;

    public TinyDns() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        thread = Thread.ofVirtual().start(this::serve);
    }

    public String address() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    public int queries() {
        return queries.get();
    }

    private static Name name(String s) {
        try {
            return Name.fromString(s.endsWith(".") ? s : s + ".");
        } catch (org.xbill.DNS.TextParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public TinyDns mx(String domain, int preference, String host) {
        add(new MXRecord(name(domain), DClass.IN, 60, preference, name(host)));
        return this;
    }

    public TinyDns a(String host, String address) throws IOException {
        add(new ARecord(name(host), DClass.IN, 60, InetAddress.getByName(address)));
        return this;
    }

    public TinyDns txt(String name, String text) {
        add(new org.xbill.DNS.TXTRecord(name(name), DClass.IN, 60, text));
        return this;
    }

    /** The name answers SERVFAIL. */
    public TinyDns failing(String n) {
        failing.add(name(n));
        return this;
    }

    private void add(Record r) {
        records.computeIfAbsent(r.getName(), k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(r);
    }

    private void serve() {
        byte[] buf = new byte[4096];
        while (!socket.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                queries.incrementAndGet();
                Message q = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
                Message r = answer(q);
                byte[] out = r.toWire(512);
                socket.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    private Message answer(Message q) {
        Message r = new Message(q.getHeader().getID());
        r.getHeader().setFlag(Flags.QR);
        r.getHeader().setFlag(Flags.AA);
        if (q.getHeader().getFlag(Flags.RD)) {
            r.getHeader().setFlag(Flags.RD);
        }
        Record question = q.getQuestion();
        if (question == null) {
            r.getHeader().setRcode(Rcode.FORMERR);
            return r;
        }
        r.addRecord(question, Section.QUESTION);
        if (failing.contains(question.getName())) {
            r.getHeader().setRcode(Rcode.SERVFAIL);
            return r;
        }
        List<Record> all = records.get(question.getName());
        if (all == null) {
            r.getHeader().setRcode(Rcode.NXDOMAIN);
            r.addRecord(soa(question.getName()), Section.AUTHORITY);
            return r;
        }
        List<Record> match = new ArrayList<>();
        for (Record rec : all) {
            if (rec.getType() == question.getType() || question.getType() == Type.ANY) {
                match.add(rec);
            }
        }
        for (Record rec : match) {
            r.addRecord(rec, Section.ANSWER);
        }
        if (match.isEmpty()) {
            r.addRecord(soa(question.getName()), Section.AUTHORITY); // NODATA, negatively cacheable (RFC 2308)
        }
        return r;
    }

    /** An SOA for the zone a name is in (its last two labels), for negative answers. */
    private static Record soa(Name n) {
        Name zone = n.labels() > 3 ? new Name(n, n.labels() - 3) : n;
        return new org.xbill.DNS.SOARecord(zone, DClass.IN, 60, name("ns." + zone), name("hostmaster." + zone), 1, 60, 60, 600, 60);
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join(2000);
    }
}
