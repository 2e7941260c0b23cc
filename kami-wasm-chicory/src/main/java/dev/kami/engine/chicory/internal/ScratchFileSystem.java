package dev.kami.engine.chicory.internal;

import dev.kami.policy.ScratchLimits;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.ProviderMismatchException;
import java.nio.file.StandardOpenOption;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The quota-keeping view of one call's in-memory file system (docs/adr/0101, 0107): every path
 * Chicory's WASI gets is one of this view's, so every file, directory and link the guest creates,
 * renames or deletes passes here and is counted against {@link ScratchLimits}. Past a quota the
 * operation fails with an {@link IOException} and records the WASI errno the guest should see
 * ({@link #takeErrno()}); {@link WasiSandbox} answers that errno instead of Chicory's generic
 * {@code EIO}. Bytes are bounded by jimfs's own size limit underneath. Confined to the call's thread.
 */
final class ScratchFileSystem extends FileSystem {
    static final int ENOSPC = 51;
    static final int EDQUOT = 19;
    static final int ENAMETOOLONG = 37;
    /** NAME_MAX on Linux: the longest single name, in bytes. */
    static final int MAX_NAME_BYTES = 255;

    private final FileSystem inner;
    private final Path mount;
    private final ScratchLimits limits;
    private final Provider provider = new Provider();
    private int files;
    private int directories;
    private int errno;

    ScratchFileSystem(FileSystem inner, Path mount, ScratchLimits limits) {
        this.inner = inner;
        this.mount = mount;
        this.limits = limits;
    }

    /** @return the view of the mount point, the path handed to Chicory as the preopen */
    Path mount() {
        return wrap(mount);
    }

    /** Counts what already exists (a read-only copy), so the quotas apply to it too. */
    void count(int existingFiles, int existingDirectories) {
        files += existingFiles;
        directories += existingDirectories;
    }

    int files() {
        return files;
    }

    int directories() {
        return directories;
    }

    /** @return the errno of the last quota refusal, then forgets it; 0 if none */
    int takeErrno() {
        int e = errno;
        errno = 0;
        return e;
    }

    private IOException refuse(int code, String why) {
        errno = code;
        return new IOException(why);
    }

    /** Checks a path about to be created: its length, its names, its depth, and the quota of its kind. */
    private void admit(Path path, boolean directory) throws IOException {
        Path abs = path.toAbsolutePath().normalize();
        if (abs.toString().getBytes(StandardCharsets.UTF_8).length > limits.maxPathLength()) {
            throw refuse(ENAMETOOLONG, "path longer than " + limits.maxPathLength() + " bytes");
        }
        for (Path name : abs) {
            if (name.toString().getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                throw refuse(ENAMETOOLONG, "name longer than " + MAX_NAME_BYTES + " bytes");
            }
        }
        int depth = abs.startsWith(mount) ? abs.getNameCount() - mount.getNameCount() : abs.getNameCount();
        if (depth > limits.maxDepth()) {
            throw refuse(ENAMETOOLONG, "deeper than " + limits.maxDepth() + " levels");
        }
        if (directory ? directories >= limits.maxDirectories() : files >= limits.maxFiles()) {
            throw refuse(EDQUOT, directory ? "too many directories" : "too many files");
        }
    }

    private void forget(BasicFileAttributes removed) {
        if (removed == null) {
            return;
        }
        if (removed.isDirectory()) {
            directories--;
        } else {
            files--;
        }
    }

    private static BasicFileAttributes attributesOrNull(Path innerPath) {
        try {
            return Files.readAttributes(innerPath, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return null;
        }
    }

    Path wrap(Path p) {
        return p == null ? null : new ScratchPath(p);
    }

    private Path unwrap(Path p) {
        if (p instanceof ScratchPath s && s.owner() == this) {
            return s.inner;
        }
        if (p != null && p.getFileSystem() == inner) {
            return p;
        }
        throw new ProviderMismatchException("not a path of this call's scratch file system");
    }

    @Override
    public FileSystemProvider provider() {
        return provider;
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public String getSeparator() {
        return inner.getSeparator();
    }

    @Override
    public Iterable<Path> getRootDirectories() {
        List<Path> roots = new ArrayList<>();
        inner.getRootDirectories().forEach(r -> roots.add(wrap(r)));
        return roots;
    }

    @Override
    public Iterable<FileStore> getFileStores() {
        return inner.getFileStores();
    }

    @Override
    public Set<String> supportedFileAttributeViews() {
        return inner.supportedFileAttributeViews();
    }

    @Override
    public Path getPath(String first, String... more) {
        return wrap(inner.getPath(first, more));
    }

    @Override
    public PathMatcher getPathMatcher(String syntaxAndPattern) {
        PathMatcher m = inner.getPathMatcher(syntaxAndPattern);
        return p -> m.matches(unwrap(p));
    }

    @Override
    public UserPrincipalLookupService getUserPrincipalLookupService() {
        return inner.getUserPrincipalLookupService();
    }

    @Override
    public WatchService newWatchService() {
        throw new UnsupportedOperationException("no watch service in a call's scratch file system");
    }

    /** A path of the view: the jimfs path it stands for, handed out and taken back by the view only. */
    private final class ScratchPath implements Path {
        private final Path inner;

        ScratchPath(Path inner) {
            this.inner = inner;
        }

        ScratchFileSystem owner() {
            return ScratchFileSystem.this;
        }

        @Override
        public FileSystem getFileSystem() {
            return ScratchFileSystem.this;
        }

        @Override
        public boolean isAbsolute() {
            return inner.isAbsolute();
        }

        @Override
        public Path getRoot() {
            return wrap(inner.getRoot());
        }

        @Override
        public Path getFileName() {
            return wrap(inner.getFileName());
        }

        @Override
        public Path getParent() {
            return wrap(inner.getParent());
        }

        @Override
        public int getNameCount() {
            return inner.getNameCount();
        }

        @Override
        public Path getName(int index) {
            return wrap(inner.getName(index));
        }

        @Override
        public Path subpath(int beginIndex, int endIndex) {
            return wrap(inner.subpath(beginIndex, endIndex));
        }

        @Override
        public boolean startsWith(Path other) {
            return other.getFileSystem() == ScratchFileSystem.this && inner.startsWith(unwrap(other));
        }

        @Override
        public boolean endsWith(Path other) {
            return other.getFileSystem() == ScratchFileSystem.this && inner.endsWith(unwrap(other));
        }

        @Override
        public Path normalize() {
            return wrap(inner.normalize());
        }

        @Override
        public Path resolve(Path other) {
            return wrap(inner.resolve(unwrap(other)));
        }

        @Override
        public Path resolve(String other) {
            return wrap(inner.resolve(other));
        }

        @Override
        public Path relativize(Path other) {
            return wrap(inner.relativize(unwrap(other)));
        }

        @Override
        public URI toUri() {
            return inner.toUri();
        }

        @Override
        public Path toAbsolutePath() {
            return wrap(inner.toAbsolutePath());
        }

        @Override
        public Path toRealPath(LinkOption... options) throws IOException {
            return wrap(inner.toRealPath(options));
        }

        @Override
        public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers) {
            throw new UnsupportedOperationException("no watch service in a call's scratch file system");
        }

        @Override
        public int compareTo(Path other) {
            return inner.compareTo(unwrap(other));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ScratchPath p && p.owner() == owner() && inner.equals(p.inner);
        }

        @Override
        public int hashCode() {
            return inner.hashCode();
        }

        @Override
        public String toString() {
            return inner.toString();
        }
    }

    /** Delegates to jimfs on the unwrapped paths, counting and checking what is created or removed. */
    private final class Provider extends FileSystemProvider {
        private FileSystemProvider jimfs() {
            return inner.provider();
        }

        @Override
        public String getScheme() {
            return "kami-scratch";
        }

        @Override
        public FileSystem newFileSystem(URI uri, Map<String, ?> env) {
            throw new UnsupportedOperationException("a call's scratch file system is made by the engine only");
        }

        @Override
        public FileSystem getFileSystem(URI uri) {
            throw new UnsupportedOperationException("a call's scratch file system is made by the engine only");
        }

        @Override
        public Path getPath(URI uri) {
            throw new UnsupportedOperationException("a call's scratch file system is made by the engine only");
        }

        /** @return whether opening with these options creates the file */
        private boolean creates(Path target, Set<? extends OpenOption> options) {
            boolean create = options.contains(StandardOpenOption.CREATE)
                    || options.contains(StandardOpenOption.CREATE_NEW);
            return create && attributesOrNull(target) == null;
        }

        @Override
        public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options,
                FileAttribute<?>... attrs) throws IOException {
            return newFileChannel(path, options, attrs);
        }

        @Override
        public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
                throws IOException {
            Path target = unwrap(path);
            boolean creates = creates(target, options);
            if (creates) {
                admit(target, false);
            }
            FileChannel channel = jimfs().newFileChannel(target, options, attrs);
            if (creates) {
                files++;
            }
            return channel;
        }

        @Override
        public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
                throws IOException {
            DirectoryStream<Path> stream = jimfs().newDirectoryStream(unwrap(dir), p -> filter.accept(wrap(p)));
            return new DirectoryStream<>() {
                @Override
                public Iterator<Path> iterator() {
                    Iterator<Path> it = stream.iterator();
                    return new Iterator<>() {
                        @Override
                        public boolean hasNext() {
                            return it.hasNext();
                        }

                        @Override
                        public Path next() {
                            return wrap(it.next());
                        }
                    };
                }

                @Override
                public void close() throws IOException {
                    stream.close();
                }
            };
        }

        @Override
        public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
            Path target = unwrap(dir);
            if (attributesOrNull(target) == null) {
                admit(target, true);
            }
            jimfs().createDirectory(target, attrs);
            directories++;
        }

        @Override
        public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs) throws IOException {
            Path l = unwrap(link);
            if (attributesOrNull(l) == null) {
                admit(l, false);
            }
            Path t = target.getFileSystem() == ScratchFileSystem.this ? unwrap(target) : inner.getPath(target.toString());
            jimfs().createSymbolicLink(l, t, attrs);
            files++;
        }

        @Override
        public void createLink(Path link, Path existing) throws IOException {
            Path l = unwrap(link);
            if (attributesOrNull(l) == null) {
                admit(l, false);
            }
            jimfs().createLink(l, unwrap(existing));
            files++;
        }

        @Override
        public Path readSymbolicLink(Path link) throws IOException {
            return wrap(jimfs().readSymbolicLink(unwrap(link)));
        }

        @Override
        public void delete(Path path) throws IOException {
            Path target = unwrap(path);
            BasicFileAttributes before = attributesOrNull(target);
            jimfs().delete(target);
            forget(before);
        }

        @Override
        public void copy(Path source, Path target, CopyOption... options) throws IOException {
            Path t = unwrap(target);
            BasicFileAttributes replaced = attributesOrNull(t);
            BasicFileAttributes copied = attributesOrNull(unwrap(source));
            boolean directory = copied != null && copied.isDirectory();
            admit(t, directory);
            jimfs().copy(unwrap(source), t, options);
            forget(replaced);
            if (directory) {
                directories++;
            } else {
                files++;
            }
        }

        @Override
        public void move(Path source, Path target, CopyOption... options) throws IOException {
            Path t = unwrap(target);
            BasicFileAttributes replaced = attributesOrNull(t);
            BasicFileAttributes moved = attributesOrNull(unwrap(source));
            if (moved != null) {
                // a rename creates no entry, but its new path must fit the path limits
                int keep = moved.isDirectory() ? directories : files;
                if (moved.isDirectory()) {
                    directories = 0;
                } else {
                    files = 0;
                }
                try {
                    admit(t, moved.isDirectory());
                } finally {
                    if (moved.isDirectory()) {
                        directories = keep;
                    } else {
                        files = keep;
                    }
                }
            }
            jimfs().move(unwrap(source), t, options);
            if (replaced != null && moved != null && !Objects.equals(replaced.fileKey(), moved.fileKey())) {
                forget(replaced); // the entry the rename replaced is gone
            }
        }

        @Override
        public boolean isSameFile(Path path, Path path2) throws IOException {
            return jimfs().isSameFile(unwrap(path), unwrap(path2));
        }

        @Override
        public boolean isHidden(Path path) throws IOException {
            return jimfs().isHidden(unwrap(path));
        }

        @Override
        public FileStore getFileStore(Path path) throws IOException {
            return jimfs().getFileStore(unwrap(path));
        }

        @Override
        public void checkAccess(Path path, AccessMode... modes) throws IOException {
            jimfs().checkAccess(unwrap(path), modes);
        }

        @Override
        public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type,
                LinkOption... options) {
            return jimfs().getFileAttributeView(unwrap(path), type, options);
        }

        @Override
        public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
                throws IOException {
            return jimfs().readAttributes(unwrap(path), type, options);
        }

        @Override
        public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options)
                throws IOException {
            return jimfs().readAttributes(unwrap(path), attributes, options);
        }

        @Override
        public void setAttribute(Path path, String attribute, Object value, LinkOption... options)
                throws IOException {
            jimfs().setAttribute(unwrap(path), attribute, value, options);
        }
    }
}
