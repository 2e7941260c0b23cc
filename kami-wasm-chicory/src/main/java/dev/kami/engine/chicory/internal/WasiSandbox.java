package dev.kami.engine.chicory.internal;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.kami.ToolErrorKind;
import dev.kami.manifest.FsAccess;
import dev.kami.policy.EffectivePermissions;
import dev.kami.policy.ScratchLimits;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WASI preview 1 world of one call, built explicitly (docs/ABI.md "The WASI environment",
 * docs/adr/0101): stdin = the input, capped stdout/stderr, arguments = [tool id], only the granted
 * environment variables, and a preopened {@code /data} only when the file system is granted. The
 * directory lives in a fresh in-memory file system (jimfs) per call, so a guest never touches a
 * host path: {@code sandbox} starts empty, {@code read-only} holds a copy of the granted directory
 * and refuses every mutating call with {@code EROFS}. Confined to the invoking thread.
 */
final class WasiSandbox implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WasiSandbox.class);
    static final String MOUNT = "/data";
    private static final int EBADF = 8;
    private static final int EFBIG = 22;
    private static final int EIO = 29;
    private static final int EISDIR = 31;
    private static final int EMFILE = 33;
    private static final int ENOSYS = 52;
    private static final int EROFS = 69;
    private static final int STDERR = 2;
    /** Chicory numbers preopens after stdin, stdout and stderr: {@code /data} is descriptor 3. */
    private static final int PREOPEN_FD = 3;
    private static final long FD_WRITE = 1L << 6;
    private static final int O_CREAT = 1;
    private static final int O_EXCL = 4;
    private static final int O_TRUNC = 8;
    private static final int FDFLAG_APPEND = 1;
    /** WASI functions that change the file system: refused outright under {@code read-only}. */
    private static final Set<String> MUTATING = Set.of("path_create_directory", "path_remove_directory",
            "path_unlink_file", "path_rename", "path_symlink", "path_link", "path_filestat_set_times",
            "fd_filestat_set_times", "fd_filestat_set_size", "fd_allocate");
    /** Calls that add bytes to a file: jimfs's only failure there is its size limit, i.e. no space. */
    private static final Set<String> WRITING = Set.of("fd_write", "fd_pwrite", "fd_allocate", "fd_filestat_set_size");
    /** Calls whose first argument is a descriptor read or written as a stream. */
    private static final Set<String> STREAMING = Set.of("fd_read", "fd_pread", "fd_write", "fd_pwrite");

    private final WasiPreview1 wasi;
    private final FileSystem fs;
    private final ScratchFileSystem scratch;
    private final boolean readOnly;
    private final int maxOpenFiles;
    /** Descriptors the guest opened with path_open and still holds (the EMFILE quota). */
    private final Set<Integer> opened = new HashSet<>();
    private boolean preopenLive = true;

    private WasiSandbox(WasiPreview1 wasi, FileSystem fs, ScratchFileSystem scratch, boolean readOnly,
            int maxOpenFiles) {
        this.wasi = wasi;
        this.fs = fs;
        this.scratch = scratch;
        this.readOnly = readOnly;
        this.maxOpenFiles = maxOpenFiles;
    }

    /**
     * @param maxCopyBytes the most bytes of a read-only granted directory copied in
     * @param limits the quotas of the call's file system: writes and creations beyond them fail
     *     inside the guest with ENOSPC, EDQUOT, EMFILE or ENAMETOOLONG; they never grow the host's
     *     heap further
     */
    static WasiSandbox create(CallState call, long maxCopyBytes, ScratchLimits limits) {
        EffectivePermissions p = call.invocation.permissions();
        WasiOptions.Builder options = WasiOptions.builder()
                .withStdin(new ByteArrayInputStream(call.invocation.input()), false)
                .withStdout(call.stdout, false)
                .withStderr(call.stderr, false)
                .withArguments(List.of(call.toolId))
                .withThrowOnExit0(true);
        // only granted names, even if the caller passed more (defence in depth)
        Map<String, String> env = new TreeMap<>(call.invocation.environment());
        env.keySet().retainAll(Set.copyOf(p.envAllowList()));
        env.forEach(options::withEnvironment);
        FileSystem fs = null;
        ScratchFileSystem scratch = null;
        if (p.fsAccess() != FsAccess.NONE) {
            long maxSize = p.fsAccess() == FsAccess.READ_ONLY
                    ? 2 * maxCopyBytes + 1024 * 1024 // room for small files rounded up to blocks
                    : limits.maxBytes();
            fs = Jimfs.newFileSystem(Configuration.unix().toBuilder()
                    .setWorkingDirectory(MOUNT)
                    .setAttributeViews("basic", "owner", "posix", "unix")
                    .setMaxSize(maxSize)
                    .setMaxCacheSize(0) // freed blocks go back to the heap, not to a per-call cache
                    .build());
            Path mount = fs.getPath(MOUNT);
            scratch = new ScratchFileSystem(fs, mount, limits);
            try {
                Files.createDirectories(mount);
                if (p.fsAccess() == FsAccess.READ_ONLY) {
                    copyTree(call, p.fsDirectory(), mount, maxCopyBytes, limits, scratch);
                }
            } catch (IOException e) {
                closeQuietly(fs);
                throw new GuestAbort(ToolErrorKind.INTERNAL, "cannot prepare /data for tool '" + call.toolId
                        + "' from " + p.fsDirectory() + ": " + why(e) + ". Grant a readable directory "
                        + "(kami grant <tool> fs:read-only:<dir>) or revoke the grant");
            } catch (RuntimeException e) {
                closeQuietly(fs);
                throw e;
            }
            options.withDirectory(MOUNT, scratch.mount());
        }
        WasiPreview1 wasi = WasiPreview1.builder().withOptions(options.build()).build();
        return new WasiSandbox(wasi, fs, scratch, p.fsAccess() == FsAccess.READ_ONLY, limits.maxOpenFiles());
    }

    private static String why(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "it does not exist";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "it cannot be read (permission denied)";
        }
        if (e instanceof java.nio.file.NotDirectoryException) {
            return "it is not a directory";
        }
        return Messages.hostText(e);
    }

    /**
     * @return the WASI host functions: quotas answered with their errno, the preopen stat-able, no
     *     Java exception for a descriptor Chicory does not handle, and the mutating ones refused
     *     under {@code read-only}
     */
    HostFunction[] functions() {
        HostFunction[] functions = wasi.toHostFunctions();
        for (int i = 0; i < functions.length; i++) {
            HostFunction f = functions[i];
            WasmFunctionHandle guarded = guard(f.name(), f.handle());
            if (readOnly) {
                guarded = readOnly(f.name(), guarded);
            }
            functions[i] = new HostFunction(f.module(), f.name(), f.functionType(), guarded);
        }
        return functions;
    }

    private WasmFunctionHandle guard(String name, WasmFunctionHandle inner) {
        return (instance, args) -> {
            if (name.equals("path_open") && opened.size() >= maxOpenFiles) {
                return new long[] {EMFILE};
            }
            if (name.equals("fd_filestat_get") && args[0] == PREOPEN_FD && preopenLive && scratch != null) {
                return new long[] {statMount(instance.memory(), (int) args[1])};
            }
            if (scratch != null) {
                scratch.takeErrno();
            }
            long[] result;
            try {
                result = inner.apply(instance, args);
            } catch (WasmRuntimeException e) {
                String m = String.valueOf(e.getMessage());
                if (m.startsWith("Unhandled descriptor")) {
                    // Chicory has no answer for this descriptor kind (the preopened directory)
                    return new long[] {STREAMING.contains(name) ? EISDIR : EBADF};
                }
                if (m.startsWith("We don't yet support this WASI call")) {
                    return new long[] {ENOSYS};
                }
                throw e;
            } catch (GuestAbort | ChicoryException e) {
                throw e; // traps, deadlines, exits and KAMI's own aborts end the call as they should
            } catch (RuntimeException e) {
                // a host-side failure Chicory did not map (e.g. jimfs refusing an offset of 2^62):
                // the guest gets an errno, never a Java exception
                LOG.debug("WASI {} failed in the host", name, e);
                return new long[] {WRITING.contains(name) ? EFBIG : EIO};
            }
            int errno = result == null || result.length == 0 ? 0 : (int) result[0];
            if (errno != 0 && scratch != null) {
                int quota = scratch.takeErrno();
                if (quota != 0) {
                    return new long[] {quota};
                }
                if (errno == EIO && WRITING.contains(name) && args[0] > STDERR) {
                    return new long[] {ScratchFileSystem.ENOSPC};
                }
            }
            if (errno == 0) {
                track(name, instance.memory(), args);
            }
            return result;
        };
    }

    /** Keeps the set of open descriptors (EMFILE) and whether {@code /data}'s preopen is still descriptor 3. */
    private void track(String name, Memory memory, long[] args) {
        switch (name) {
            case "path_open" -> opened.add(memory.readInt((int) args[8]));
            case "fd_close" -> {
                opened.remove((int) args[0]);
                if (args[0] == PREOPEN_FD) {
                    preopenLive = false;
                }
            }
            case "fd_renumber" -> {
                int from = (int) args[0];
                int to = (int) args[1];
                if (from != to) {
                    opened.remove(to);
                    if (opened.remove(from)) {
                        opened.add(to);
                    }
                    if (to == PREOPEN_FD || from == PREOPEN_FD) {
                        preopenLive = false;
                    }
                }
            }
            default -> { }
        }
    }

    /** {@code fd_filestat_get} on the preopened {@code /data}, which Chicory cannot answer. */
    private int statMount(Memory memory, int buf) {
        try {
            Map<String, Object> a = Files.readAttributes(scratch.mount(), "unix:*");
            memory.writeLong(buf, ((Number) a.get("dev")).longValue());
            memory.writeLong(buf + 8, ((Number) a.get("ino")).longValue());
            memory.write(buf + 16, new byte[8]);
            memory.writeByte(buf + 16, (byte) 3); // filetype directory
            memory.writeLong(buf + 24, ((Number) a.get("nlink")).longValue());
            memory.writeLong(buf + 32, ((Number) a.get("size")).longValue());
            memory.writeLong(buf + 40, ((FileTime) a.get("lastAccessTime")).to(TimeUnit.NANOSECONDS));
            memory.writeLong(buf + 48, ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS));
            memory.writeLong(buf + 56, ((FileTime) a.get("ctime")).to(TimeUnit.NANOSECONDS));
            return 0;
        } catch (IOException | RuntimeException e) {
            LOG.debug("stat of /data failed", e);
            return EIO;
        }
    }

    private static WasmFunctionHandle readOnly(String name, WasmFunctionHandle inner) {
        if (MUTATING.contains(name)) {
            return (instance, args) -> new long[] {EROFS};
        }
        if (name.equals("path_open")) {
            return (instance, args) -> {
                long oflags = args[4];
                long rights = args[5];
                long fdflags = args[7];
                if ((oflags & (O_CREAT | O_EXCL | O_TRUNC)) != 0 || (rights & FD_WRITE) != 0
                        || (fdflags & FDFLAG_APPEND) != 0) {
                    return new long[] {EROFS};
                }
                return inner.apply(instance, args);
            };
        }
        if (name.equals("fd_write") || name.equals("fd_pwrite")) {
            // stdout and stderr stay writable; no other descriptor can be open for writing
            return (instance, args) -> args[0] > STDERR ? new long[] {EROFS} : inner.apply(instance, args);
        }
        return inner;
    }

    /** Copies the granted directory into a read-only /data, counting it against the quotas (also for components). */
    static void copyTree(CallState call, Path source, Path target, long maxBytes, ScratchLimits limits,
            ScratchFileSystem scratch) throws IOException {
        Path root = source.toRealPath();
        long[] total = {0};
        int[] counts = {0, 0}; // files, directories below the root
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(root) && ++counts[1] > limits.maxDirectories()) {
                    throw tooMany("directories", limits.maxDirectories(), "fs.maxDirectories");
                }
                Files.createDirectories(mapped(dir));
                return FileVisitResult.CONTINUE;
            }

            private GuestAbort tooMany(String what, int max, String option) {
                return new GuestAbort(ToolErrorKind.INTERNAL, "the directory granted to tool '" + call.toolId
                        + "' (" + root + ") holds more than " + max + " " + what + ", the most shown to a call "
                        + "(" + option + "; HostPolicy.scratch(..))");
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path real = file;
                if (attrs.isSymbolicLink()) {
                    // a link is shown as the file it points to only if that file is inside the
                    // granted directory; links to outside (or to directories) are left out
                    try {
                        real = file.toRealPath();
                    } catch (IOException e) {
                        return FileVisitResult.CONTINUE;
                    }
                    if (!real.startsWith(root) || !Files.isRegularFile(real)) {
                        LOG.debug("tool '{}': not showing symlink {} -> {} (outside the granted directory)",
                                call.toolId, file, real);
                        return FileVisitResult.CONTINUE;
                    }
                } else if (!attrs.isRegularFile()) {
                    return FileVisitResult.CONTINUE;
                }
                if (++counts[0] > limits.maxFiles()) {
                    throw tooMany("files", limits.maxFiles(), "fs.maxFiles");
                }
                total[0] += Files.size(real);
                if (total[0] > maxBytes) {
                    throw new GuestAbort(ToolErrorKind.INTERNAL, "the directory granted to tool '" + call.toolId
                            + "' (" + root + ") holds more than " + maxBytes + " bytes, the most copied into its "
                            + "read-only view (engine option fs.maxCopyBytes)");
                }
                Files.copy(real, mapped(file));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) {
                if (dir.equals(root)) {
                    scratch.count(counts[0], counts[1]);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
                LOG.debug("tool '{}': cannot read {}: {}", call.toolId, file, exc.toString());
                return FileVisitResult.CONTINUE;
            }

            private Path mapped(Path p) {
                Path rel = root.relativize(p);
                Path out = target;
                for (Path part : rel) {
                    if (!part.toString().isEmpty()) {
                        out = out.resolve(part.toString());
                    }
                }
                return out;
            }
        });
    }

    @Override
    public void close() {
        try {
            wasi.close();
        } finally {
            if (fs != null) {
                closeQuietly(fs);
            }
        }
    }

    private static void closeQuietly(FileSystem fs) {
        try {
            fs.close();
        } catch (IOException e) {
            LOG.debug("closing an in-memory file system failed", e);
        }
    }
}
