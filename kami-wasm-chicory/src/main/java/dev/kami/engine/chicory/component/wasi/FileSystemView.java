package dev.kami.engine.chicory.component.wasi;

import dev.kami.engine.chicory.component.HostFunc;
import dev.kami.engine.chicory.component.Variant;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code wasi:filesystem} (types, preopens) over one directory of the call's own file system
 * (the same per-call in-memory {@code /data} as WASI preview 1: empty scratch space under
 * {@code sandbox}, a copy of the granted directory under {@code read-only}, where every change is
 * refused with {@code read-only}). Paths are confined to the directory: absolute paths and
 * {@code ..} that leave it get {@code not-permitted}. Confined to the calling thread.
 */
public final class FileSystemView {
    /** Where the directory appears to the guest. */
    public static final String MOUNT = "/data";

    static final List<String> FUNCTIONS = List.of("[method]descriptor.read-via-stream",
            "[method]descriptor.write-via-stream", "[method]descriptor.append-via-stream", "[method]descriptor.advise",
            "[method]descriptor.sync-data", "[method]descriptor.get-flags", "[method]descriptor.get-type",
            "[method]descriptor.set-size", "[method]descriptor.set-times", "[method]descriptor.read",
            "[method]descriptor.write", "[method]descriptor.read-directory", "[method]descriptor.sync",
            "[method]descriptor.create-directory-at", "[method]descriptor.stat", "[method]descriptor.stat-at",
            "[method]descriptor.set-times-at", "[method]descriptor.link-at", "[method]descriptor.open-at",
            "[method]descriptor.readlink-at", "[method]descriptor.remove-directory-at",
            "[method]descriptor.rename-at", "[method]descriptor.symlink-at", "[method]descriptor.unlink-file-at",
            "[method]descriptor.is-same-object", "[method]descriptor.metadata-hash",
            "[method]descriptor.metadata-hash-at", "[method]directory-entry-stream.read-directory-entry",
            "filesystem-error-code");

    // error-code cases (wasi:filesystem/types)
    static final int ACCESS = 0;
    static final int BAD_DESCRIPTOR = 3;
    static final int QUOTA = 6;
    static final int EXIST = 7;
    static final int INVALID = 12;
    static final int IO = 13;
    static final int IS_DIRECTORY = 14;
    static final int NAME_TOO_LONG = 18;
    static final int NO_ENTRY = 20;
    static final int INSUFFICIENT_MEMORY = 22;
    static final int INSUFFICIENT_SPACE = 23;
    static final int NOT_DIRECTORY = 24;
    static final int NOT_EMPTY = 25;
    static final int UNSUPPORTED = 27;
    static final int NOT_PERMITTED = 31;
    static final int READ_ONLY = 33;
    // descriptor-type cases
    static final int TYPE_UNKNOWN = 0;
    static final int TYPE_DIRECTORY = 3;
    static final int TYPE_SYMLINK = 5;
    static final int TYPE_FILE = 6;
    // descriptor-flags and open-flags bits
    static final long FLAG_READ = 1;
    static final long FLAG_WRITE = 2;
    static final long FLAG_MUTATE_DIRECTORY = 32;
    static final long OPEN_CREATE = 1;
    static final long OPEN_DIRECTORY = 2;
    static final long OPEN_EXCLUSIVE = 4;
    static final long OPEN_TRUNCATE = 8;

    /**
     * A descriptor: a path inside the root and the flags it was opened with. One opened by
     * {@code open-at} counts against the view's open descriptors until the component drops it.
     */
    final class Descriptor implements AutoCloseable {
        final Path path;
        final long flags;
        private boolean counted;

        Descriptor(Path path, long flags, boolean counted) {
            this.path = path;
            this.flags = flags;
            this.counted = counted;
        }

        @Override
        public void close() {
            if (counted) {
                counted = false;
                open--;
            }
        }
    }

    /** An open directory listing. */
    static final class Entries {
        final Iterator<Path> it;

        Entries(Iterator<Path> it) {
            this.it = it;
        }
    }

    /** Thrown inside an operation: the error-code to return. */
    private static final class Fail extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int code;

        Fail(int code) {
            super(null, null, false, false);
            this.code = code;
        }
    }

    /**
     * The scratch quotas' refusals: {@link #takeErrno} gives the WASI preview-1 errno of the last
     * refusal of the file system underneath (ENOSPC 51, EDQUOT 19, ENAMETOOLONG 37), then forgets
     * it; 0 when the last failure was no quota's.
     */
    @FunctionalInterface
    public interface Quotas {
        int takeErrno();
    }

    private final Path root;
    private final boolean readOnly;
    private final int maxOpen;
    private final Quotas quotas;
    private int open;

    /**
     * A view with no quota of its own (bytes bounded by the file system underneath).
     *
     * @param root the directory shown as {@link #MOUNT}
     * @param readOnly whether every change is refused
     */
    public FileSystemView(Path root, boolean readOnly) {
        this(root, readOnly, Integer.MAX_VALUE, () -> 0);
    }

    /**
     * @param root the directory shown as {@link #MOUNT}, on a file system that keeps the scratch
     *     quotas (files, directories, path length, depth, bytes)
     * @param readOnly whether every change is refused
     * @param maxOpen the most descriptors {@code open-at} may have open at once (the preopen aside);
     *     past it {@code open-at} fails with {@code insufficient-memory}
     * @param quotas reports which quota refused an operation, so the guest sees {@code quota},
     *     {@code insufficient-space} or {@code name-too-long} rather than {@code io}
     */
    public FileSystemView(Path root, boolean readOnly, int maxOpen, Quotas quotas) {
        this.root = root.toAbsolutePath().normalize();
        this.readOnly = readOnly;
        this.maxOpen = maxOpen;
        this.quotas = java.util.Objects.requireNonNull(quotas, "quotas");
    }

    List<Object> preopens() {
        long flags = readOnly ? FLAG_READ : FLAG_READ | FLAG_WRITE | FLAG_MUTATE_DIRECTORY;
        return List.of(List.of(new Descriptor(root, flags, false), MOUNT));
    }

    /** For a call with no file system granted: no descriptor can exist, so every method fails. */
    static HostFunc noFileSystem(String name) {
        if (!FUNCTIONS.contains(name)) {
            return null;
        }
        if (name.equals("filesystem-error-code")) {
            return a -> Variant.none();
        }
        if (name.equals("[method]descriptor.is-same-object")) {
            return a -> false;
        }
        return a -> Variant.err(BAD_DESCRIPTOR);
    }

    HostFunc function(String name) {
        if (!FUNCTIONS.contains(name)) {
            return null;
        }
        return switch (name) {
            case "filesystem-error-code" -> a -> a.get(0) instanceof WasiPreview2.IoError e && e.fsCode() >= 0
                    ? Variant.some(e.fsCode()) : Variant.none();
            case "[method]descriptor.is-same-object" -> a -> ((Descriptor) a.get(0)).path
                    .equals(((Descriptor) a.get(1)).path);
            default -> a -> {
                quotas.takeErrno(); // a refusal the guest already saw is not this call's
                try {
                    return Variant.ok(run(name, a));
                } catch (Fail f) {
                    return Variant.err(f.code);
                } catch (NoSuchFileException e) {
                    return Variant.err(NO_ENTRY);
                } catch (FileAlreadyExistsException e) {
                    return Variant.err(EXIST);
                } catch (DirectoryNotEmptyException e) {
                    return Variant.err(NOT_EMPTY);
                } catch (NotDirectoryException e) {
                    return Variant.err(NOT_DIRECTORY);
                } catch (AccessDeniedException e) {
                    return Variant.err(ACCESS);
                } catch (IOException e) {
                    return Variant.err(code(e));
                }
            };
        };
    }

    /** The error-code of a failed operation: a scratch quota's, out of space, or io. */
    private int code(IOException e) {
        int quota = quotas.takeErrno();
        if (quota != 0) {
            return quota == 51 ? INSUFFICIENT_SPACE : quota == 37 ? NAME_TOO_LONG : QUOTA;
        }
        return e.getMessage() != null && e.getMessage().contains("space") ? INSUFFICIENT_SPACE : IO;
    }

    /** A failed write to a file stream, with its error-code for {@code filesystem-error-code}. */
    static final class WriteFailure extends IOException {
        private static final long serialVersionUID = 1L;
        final int code;

        WriteFailure(String message, int code) {
            super(message);
            this.code = code;
        }
    }

    private Object run(String name, List<Object> a) throws IOException {
        if (name.startsWith("[method]directory-entry-stream.")) {
            Entries e = (Entries) a.get(0);
            if (!e.it.hasNext()) {
                return Variant.none();
            }
            Path p = e.it.next();
            return Variant.some(List.of(type(p), p.getFileName().toString()));
        }
        Descriptor d = (Descriptor) a.get(0);
        String op = name.substring("[method]descriptor.".length());
        switch (op) {
            case "read-via-stream" -> {
                byte[] all = Files.readAllBytes(file(d));
                int from = (int) Math.min(all.length, Math.max(0, (Long) a.get(1)));
                return new WasiPreview2.In(java.util.Arrays.copyOfRange(all, from, all.length));
            }
            case "write-via-stream", "append-via-stream" -> {
                writable(d);
                file(d);
                boolean append = op.equals("append-via-stream");
                long offset = append ? 0 : (Long) a.get(1);
                return new WasiPreview2.Out(sink(d.path, append, offset));
            }
            case "advise", "sync-data", "sync" -> {
                return null;
            }
            case "get-flags" -> {
                return d.flags;
            }
            case "get-type" -> {
                return type(d.path);
            }
            case "set-size" -> {
                writable(d);
                try (FileChannel ch = FileChannel.open(file(d), StandardOpenOption.WRITE)) {
                    long size = (Long) a.get(1);
                    if (size < ch.size()) {
                        ch.truncate(size);
                    } else if (size > ch.size()) {
                        ch.write(ByteBuffer.allocate(1), size - 1);
                    }
                }
                return null;
            }
            case "set-times", "set-times-at", "link-at", "symlink-at" -> throw new Fail(readOnly ? READ_ONLY
                    : UNSUPPORTED);
            case "read" -> {
                long length = (Long) a.get(1);
                long offset = (Long) a.get(2);
                byte[] all = Files.readAllBytes(file(d));
                int from = (int) Math.min(all.length, Math.max(0, offset));
                int to = (int) Math.min(all.length, from + Math.min(Math.max(0, length), WasiPreview2.CHUNK));
                return List.of(java.util.Arrays.copyOfRange(all, from, to), to >= all.length);
            }
            case "write" -> {
                writable(d);
                byte[] buf = (byte[]) a.get(1);
                try (FileChannel ch = FileChannel.open(file(d), StandardOpenOption.WRITE)) {
                    ch.write(ByteBuffer.wrap(buf), (Long) a.get(2));
                }
                return (long) buf.length;
            }
            case "read-directory" -> {
                dir(d);
                List<Path> list = new ArrayList<>();
                try (Stream<Path> s = Files.list(d.path)) {
                    s.sorted().forEach(list::add);
                }
                return new Entries(list.iterator());
            }
            case "create-directory-at" -> {
                mutable(d);
                Files.createDirectory(resolve(d, (String) a.get(1)));
                return null;
            }
            case "stat" -> {
                return stat(d.path);
            }
            case "stat-at" -> {
                return stat(resolve(d, (String) a.get(2)));
            }
            case "open-at" -> {
                return open(d, (String) a.get(2), (Long) a.get(3), (Long) a.get(4));
            }
            case "readlink-at" -> throw new Fail(INVALID);
            case "remove-directory-at" -> {
                mutable(d);
                Path p = resolve(d, (String) a.get(1));
                if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    throw new Fail(Files.exists(p) ? NOT_DIRECTORY : NO_ENTRY);
                }
                Files.delete(p);
                return null;
            }
            case "unlink-file-at" -> {
                mutable(d);
                Path p = resolve(d, (String) a.get(1));
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    throw new Fail(IS_DIRECTORY);
                }
                Files.delete(p);
                return null;
            }
            case "rename-at" -> {
                mutable(d);
                Descriptor to = (Descriptor) a.get(2);
                mutable(to);
                Files.move(resolve(d, (String) a.get(1)), resolve(to, (String) a.get(3)),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                return null;
            }
            case "metadata-hash" -> {
                return hash(d.path);
            }
            case "metadata-hash-at" -> {
                return hash(resolve(d, (String) a.get(2)));
            }
            default -> throw new Fail(UNSUPPORTED);
        }
    }

    private Object open(Descriptor d, String path, long openFlags, long flags) throws IOException {
        dir(d);
        if (open >= maxOpen) {
            throw new Fail(INSUFFICIENT_MEMORY); // EMFILE has no error-code of its own
        }
        Path p = resolve(d, path);
        boolean wantsWrite = (flags & (FLAG_WRITE | FLAG_MUTATE_DIRECTORY)) != 0
                || (openFlags & (OPEN_CREATE | OPEN_TRUNCATE | OPEN_EXCLUSIVE)) != 0;
        if (wantsWrite && (readOnly || (d.flags & FLAG_MUTATE_DIRECTORY) == 0)) {
            throw new Fail(readOnly ? READ_ONLY : NOT_PERMITTED);
        }
        boolean exists = Files.exists(p, LinkOption.NOFOLLOW_LINKS);
        if ((openFlags & OPEN_EXCLUSIVE) != 0 && exists) {
            throw new Fail(EXIST);
        }
        if ((openFlags & OPEN_DIRECTORY) != 0) {
            if (!exists) {
                throw new Fail(NO_ENTRY);
            }
            if (!Files.isDirectory(p)) {
                throw new Fail(NOT_DIRECTORY);
            }
        }
        if (!exists) {
            if ((openFlags & OPEN_CREATE) == 0) {
                throw new Fail(NO_ENTRY);
            }
            Files.createFile(p);
        } else if ((openFlags & OPEN_TRUNCATE) != 0) {
            if (Files.isDirectory(p)) {
                throw new Fail(IS_DIRECTORY);
            }
            Files.write(p, new byte[0]);
        }
        open++;
        return new Descriptor(p, flags, true);
    }

    private Path resolve(Descriptor d, String path) {
        if (path.startsWith("/") || path.indexOf('\0') >= 0) {
            throw new Fail(NOT_PERMITTED);
        }
        Path p = d.path.resolve(path).normalize();
        if (!p.startsWith(root)) {
            throw new Fail(NOT_PERMITTED);
        }
        return p;
    }

    private static Path file(Descriptor d) {
        if (Files.isDirectory(d.path)) {
            throw new Fail(IS_DIRECTORY);
        }
        return d.path;
    }

    private static void dir(Descriptor d) {
        if (!Files.isDirectory(d.path)) {
            throw new Fail(NOT_DIRECTORY);
        }
    }

    private void writable(Descriptor d) {
        if (readOnly) {
            throw new Fail(READ_ONLY);
        }
        if ((d.flags & FLAG_WRITE) == 0) {
            throw new Fail(BAD_DESCRIPTOR);
        }
    }

    private void mutable(Descriptor d) {
        if (readOnly) {
            throw new Fail(READ_ONLY);
        }
        if ((d.flags & FLAG_MUTATE_DIRECTORY) == 0) {
            throw new Fail(NOT_PERMITTED);
        }
    }

    private OutputStream sink(Path path, boolean append, long offset) throws IOException {
        Set<StandardOpenOption> options = EnumSet.of(StandardOpenOption.WRITE);
        if (append) {
            options.add(StandardOpenOption.APPEND);
        }
        FileChannel ch = FileChannel.open(path, options);
        if (!append) {
            ch.position(offset);
        }
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                try {
                    ch.write(ByteBuffer.wrap(b, off, len));
                } catch (IOException e) {
                    throw new WriteFailure(e.getMessage() == null ? "write failed" : e.getMessage(), code(e));
                }
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }

    private static int type(Path p) {
        if (Files.isSymbolicLink(p)) {
            return TYPE_SYMLINK;
        }
        if (Files.isDirectory(p)) {
            return TYPE_DIRECTORY;
        }
        return Files.isRegularFile(p) ? TYPE_FILE : TYPE_UNKNOWN;
    }

    private static Object stat(Path p) throws IOException {
        BasicFileAttributes at = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return List.of(type(p), 1L, at.size(), time(at.lastAccessTime()), time(at.lastModifiedTime()),
                time(at.lastModifiedTime()));
    }

    private static Variant time(FileTime t) {
        java.time.Instant i = t.toInstant();
        return Variant.some(List.of(i.getEpochSecond(), (long) i.getNano()));
    }

    private static Object hash(Path p) throws IOException {
        BasicFileAttributes at = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Object key = at.fileKey();
        long lower = key == null ? p.toString().hashCode() : key.hashCode();
        return List.of(lower, (long) p.toString().hashCode());
    }
}
