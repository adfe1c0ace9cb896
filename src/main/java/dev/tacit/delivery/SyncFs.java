package dev.tacit.delivery;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Linux {@code syncfs(2)}: makes every file and directory change on one file system durable with one
 * journal commit. Maildir delivery uses it once per batch instead of an fsync per message file and
 * per folder (see {@link MaildirDelivery}); on a batch of 64 one-kilobyte files it halved the CPU and
 * doubled the rate here (docs/performance.md).
 *
 * <p>Java has no syncfs, so it is called through the Foreign Function API (final in Java 22). The code
 * is compiled for Java 21, where that API is a preview, so it is reached by reflection; on a JDK
 * without it, or a system without the symbol, {@link #available()} is false and callers fsync each
 * file instead. The JVM should run with {@code --enable-native-access=ALL-UNNAMED} (the launcher and
 * the jar's manifest say so), or the JDK prints a warning at the first call.
 */
public final class SyncFs {

    private static final Logger log = LoggerFactory.getLogger(SyncFs.class);
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 02000000; // the same on x86-64 and arm64 (generic value)

    private static final Native NATIVE = load();

    private record Native(MethodHandle open, MethodHandle syncfs, MethodHandle close, Method confinedArena,
            Method allocateString) {}

    private SyncFs() {}

    /** Whether {@link #sync(Path)} can be called on this JDK and system. */
    public static boolean available() {
        return NATIVE != null;
    }

    /** syncfs on the file system holding {@code path} (a file or directory that exists). */
    public static void sync(Path path) throws IOException {
        Native n = NATIVE;
        if (n == null) {
            throw new IOException("syncfs is not available on this system");
        }
        try (AutoCloseable arena = (AutoCloseable) n.confinedArena().invoke(null)) {
            Object cPath = n.allocateString().invoke(arena, path.toString());
            int fd = (int) n.open().invoke(cPath, O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                throw new IOException("syncfs: cannot open " + path);
            }
            int rc;
            try {
                rc = (int) n.syncfs().invoke(fd);
            } finally {
                int ignored = (int) n.close().invoke(fd);
            }
            if (rc != 0) {
                throw new IOException("syncfs failed on the file system of " + path);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException("syncfs: " + e, e);
        }
    }

    private static Native load() {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return null;
        }
        try {
            Class<?> linkerC = Class.forName("java.lang.foreign.Linker");
            Class<?> lookupC = Class.forName("java.lang.foreign.SymbolLookup");
            Class<?> segmentC = Class.forName("java.lang.foreign.MemorySegment");
            Class<?> layoutC = Class.forName("java.lang.foreign.MemoryLayout");
            Class<?> valueLayoutC = Class.forName("java.lang.foreign.ValueLayout");
            Class<?> descC = Class.forName("java.lang.foreign.FunctionDescriptor");
            Class<?> optionC = Class.forName("java.lang.foreign.Linker$Option");
            Class<?> arenaC = Class.forName("java.lang.foreign.Arena");
            Class<?> allocatorC = Class.forName("java.lang.foreign.SegmentAllocator");
            Object linker = linkerC.getMethod("nativeLinker").invoke(null);
            Object libc = linkerC.getMethod("defaultLookup").invoke(linker);
            Method find = lookupC.getMethod("find", String.class);
            Object jint = valueLayoutC.getField("JAVA_INT").get(null);
            Object address = valueLayoutC.getField("ADDRESS").get(null);
            Method of = descC.getMethod("of", layoutC, layoutC.arrayType());
            Method downcall = linkerC.getMethod("downcallHandle", segmentC, descC, optionC.arrayType());
            Object noOptions = Array.newInstance(optionC, 0);
            MethodHandle[] handles = new MethodHandle[3];
            String[] names = {"open", "syncfs", "close"};
            Object[][] params = {{address, jint}, {jint}, {jint}};
            for (int i = 0; i < 3; i++) {
                Optional<?> sym = (Optional<?>) find.invoke(libc, names[i]);
                if (sym.isEmpty()) {
                    return null;
                }
                Object rest = Array.newInstance(layoutC, params[i].length);
                for (int j = 0; j < params[i].length; j++) {
                    Array.set(rest, j, params[i][j]);
                }
                Object desc = of.invoke(null, jint, rest);
                handles[i] = (MethodHandle) downcall.invoke(linker, sym.get(), desc, noOptions);
            }
            Native n = new Native(handles[0], handles[1], handles[2], arenaC.getMethod("ofConfined"),
                    allocatorC.getMethod("allocateFrom", String.class));
            return n;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            log.debug("syncfs not available ({}); Maildir files are fsync'd one by one", e.toString());
            return null;
        }
    }
}
