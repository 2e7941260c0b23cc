package dev.kami.engine.chicory.internal;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.kami.ToolErrorKind;
import dev.kami.manifest.FsAccess;
import dev.kami.policy.EffectivePermissions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
    private static final int EROFS = 69;
    private static final int STDERR = 2;
    private static final long FD_WRITE = 1L << 6;
    private static final int O_CREAT = 1;
    private static final int O_EXCL = 4;
    private static final int O_TRUNC = 8;
    private static final int FDFLAG_APPEND = 1;
    /** WASI functions that change the file system: refused outright under {@code read-only}. */
    private static final Set<String> MUTATING = Set.of("path_create_directory", "path_remove_directory",
            "path_unlink_file", "path_rename", "path_symlink", "path_link", "path_filestat_set_times",
            "fd_filestat_set_times", "fd_filestat_set_size", "fd_allocate");

    private final WasiPreview1 wasi;
    private final FileSystem fs;
    private final boolean readOnly;

    private WasiSandbox(WasiPreview1 wasi, FileSystem fs, boolean readOnly) {
        this.wasi = wasi;
        this.fs = fs;
        this.readOnly = readOnly;
    }

    /**
     * @param maxCopyBytes the most bytes of a read-only granted directory copied in
     * @param maxScratchBytes the most bytes a {@code sandbox} scratch directory may hold; writes
     *     beyond fail inside the guest (no space), they never grow the host's heap further
     */
    static WasiSandbox create(CallState call, long maxCopyBytes, long maxScratchBytes) {
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
        if (p.fsAccess() != FsAccess.NONE) {
            long maxSize = p.fsAccess() == FsAccess.READ_ONLY
                    ? 2 * maxCopyBytes + 1024 * 1024 // room for small files rounded up to blocks
                    : maxScratchBytes;
            fs = Jimfs.newFileSystem(Configuration.unix().toBuilder()
                    .setWorkingDirectory(MOUNT)
                    .setMaxSize(maxSize)
                    .build());
            Path mount = fs.getPath(MOUNT);
            try {
                Files.createDirectories(mount);
                if (p.fsAccess() == FsAccess.READ_ONLY) {
                    copyTree(call, p.fsDirectory(), mount, maxCopyBytes);
                }
            } catch (IOException e) {
                closeQuietly(fs);
                throw new GuestAbort(ToolErrorKind.INTERNAL, "cannot prepare /data for tool '" + call.toolId
                        + "' from " + p.fsDirectory() + ": " + e);
            } catch (RuntimeException e) {
                closeQuietly(fs);
                throw e;
            }
            options.withDirectory(MOUNT, mount);
        }
        WasiPreview1 wasi = WasiPreview1.builder().withOptions(options.build()).build();
        return new WasiSandbox(wasi, fs, p.fsAccess() == FsAccess.READ_ONLY);
    }

    /** @return the WASI host functions, with the mutating ones refused under {@code read-only} */
    HostFunction[] functions() {
        HostFunction[] functions = wasi.toHostFunctions();
        if (!readOnly) {
            return functions;
        }
        for (int i = 0; i < functions.length; i++) {
            HostFunction f = functions[i];
            WasmFunctionHandle inner = f.handle();
            WasmFunctionHandle guarded;
            if (MUTATING.contains(f.name())) {
                guarded = (instance, args) -> new long[] {EROFS};
            } else if (f.name().equals("path_open")) {
                guarded = (instance, args) -> {
                    long oflags = args[4];
                    long rights = args[5];
                    long fdflags = args[7];
                    if ((oflags & (O_CREAT | O_EXCL | O_TRUNC)) != 0 || (rights & FD_WRITE) != 0
                            || (fdflags & FDFLAG_APPEND) != 0) {
                        return new long[] {EROFS};
                    }
                    return inner.apply(instance, args);
                };
            } else if (f.name().equals("fd_write") || f.name().equals("fd_pwrite")) {
                // stdout and stderr stay writable; no other descriptor can be open for writing
                guarded = (instance, args) -> args[0] > STDERR ? new long[] {EROFS} : inner.apply(instance, args);
            } else {
                continue;
            }
            functions[i] = new HostFunction(f.module(), f.name(), f.functionType(), guarded);
        }
        return functions;
    }

    private static void copyTree(CallState call, Path source, Path target, long maxBytes) throws IOException {
        Path root = source.toRealPath();
        long[] total = {0};
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(mapped(dir));
                return FileVisitResult.CONTINUE;
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
