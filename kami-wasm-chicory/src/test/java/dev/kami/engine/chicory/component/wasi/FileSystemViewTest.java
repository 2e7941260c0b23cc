package dev.kami.engine.chicory.component.wasi;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.kami.engine.chicory.component.CType;
import dev.kami.engine.chicory.component.Variant;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** wasi:filesystem over a per-call in-memory /data, sandbox and read-only. */
class FileSystemViewTest {
    private static final CType.FuncT ANY = new CType.FuncT(List.of(), null);
    private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());

    @AfterEach
    void close() throws IOException {
        fs.close();
    }

    private WasiPreview2 wasi(boolean readOnly) throws IOException {
        Path data = fs.getPath("/data");
        Files.createDirectories(data);
        Files.writeString(data.resolve("in.txt"), "granted text");
        return new WasiPreview2(new byte[0], new java.io.ByteArrayOutputStream(), new java.io.ByteArrayOutputStream(),
                Map.of(), List.of("t"), new FileSystemView(data, readOnly));
    }

    private static Object fsCall(WasiPreview2 w, String name, Object... args) {
        return w.function("wasi:filesystem/types@0.2.0", name, ANY).call(Arrays.asList(args));
    }

    private static Object root(WasiPreview2 w) {
        List<?> dirs = (List<?>) w.function("wasi:filesystem/preopens@0.2.0", "get-directories", ANY).call(List.of());
        assertThat(dirs).hasSize(1);
        assertThat(((List<?>) dirs.get(0)).get(1)).isEqualTo("/data");
        return ((List<?>) dirs.get(0)).get(0);
    }

    private static String read(WasiPreview2 w, Object file) {
        Object stream = ((Variant) fsCall(w, "[method]descriptor.read-via-stream", file, 0L)).value();
        Variant r = (Variant) w.function("wasi:io/streams@0.2.0", "[method]input-stream.read", ANY)
                .call(List.of(stream, 1000L));
        return new String((byte[]) r.value(), StandardCharsets.UTF_8);
    }

    @Test
    void aSandboxDirectoryIsWritableAndReadable() throws IOException {
        WasiPreview2 w = wasi(false);
        Object dir = root(w);
        // open-at(path-flags, path, open-flags = create, descriptor-flags = read|write)
        Variant opened = (Variant) fsCall(w, "[method]descriptor.open-at", dir, 0L, "out.txt", 1L, 3L);
        assertThat(opened.index()).isZero();
        Object out = ((Variant) fsCall(w, "[method]descriptor.write-via-stream", opened.value(), 0L)).value();
        w.function("wasi:io/streams@0.2.0", "[method]output-stream.blocking-write-and-flush", ANY)
                .call(List.of(out, "written".getBytes(StandardCharsets.UTF_8)));
        assertThat(Files.readString(fs.getPath("/data/out.txt"))).isEqualTo("written");
        Object in = ((Variant) fsCall(w, "[method]descriptor.open-at", dir, 0L, "in.txt", 0L, 1L)).value();
        assertThat(read(w, in)).isEqualTo("granted text");
        Object entries = ((Variant) fsCall(w, "[method]descriptor.read-directory", dir)).value();
        Variant first = (Variant) fsCall(w, "[method]directory-entry-stream.read-directory-entry", entries);
        assertThat(first).isEqualTo(Variant.ok(Variant.some(List.of(6, "in.txt"))));
        List<?> stat = (List<?>) ((Variant) fsCall(w, "[method]descriptor.stat", in)).value();
        assertThat(stat.get(0)).isEqualTo(6);
        assertThat(stat.get(2)).isEqualTo(12L);
    }

    @Test
    void readOnlyRefusesEveryChange() throws IOException {
        WasiPreview2 w = wasi(true);
        Object dir = root(w);
        assertThat(fsCall(w, "[method]descriptor.open-at", dir, 0L, "new.txt", 1L, 3L))
                .isEqualTo(Variant.err(FileSystemView.READ_ONLY));
        assertThat(fsCall(w, "[method]descriptor.create-directory-at", dir, "d"))
                .isEqualTo(Variant.err(FileSystemView.READ_ONLY));
        assertThat(fsCall(w, "[method]descriptor.unlink-file-at", dir, "in.txt"))
                .isEqualTo(Variant.err(FileSystemView.READ_ONLY));
        Object in = ((Variant) fsCall(w, "[method]descriptor.open-at", dir, 0L, "in.txt", 0L, 1L)).value();
        assertThat(read(w, in)).isEqualTo("granted text");
        assertThat(Files.exists(fs.getPath("/data/new.txt"))).isFalse();
    }

    @Test
    void pathsCannotLeaveData() throws IOException {
        Files.writeString(fs.getPath("/secret"), "outside");
        WasiPreview2 w = wasi(false);
        Object dir = root(w);
        assertThat(fsCall(w, "[method]descriptor.open-at", dir, 0L, "../secret", 0L, 1L))
                .isEqualTo(Variant.err(FileSystemView.NOT_PERMITTED));
        assertThat(fsCall(w, "[method]descriptor.open-at", dir, 0L, "/secret", 0L, 1L))
                .isEqualTo(Variant.err(FileSystemView.NOT_PERMITTED));
        assertThat(fsCall(w, "[method]descriptor.open-at", dir, 0L, "missing", 0L, 1L))
                .isEqualTo(Variant.err(FileSystemView.NO_ENTRY));
    }

    @Test
    void withoutAGrantThereIsNoDirectory() {
        WasiPreview2 w = new WasiPreview2(new byte[0], new java.io.ByteArrayOutputStream(),
                new java.io.ByteArrayOutputStream(), Map.of(), List.of("t"), null);
        assertThat(w.function("wasi:filesystem/preopens@0.2.3", "get-directories", ANY).call(List.of())).isEqualTo(
                List.of());
        assertThat(w.function("wasi:cli/environment@0.2.3", "initial-cwd", ANY).call(List.of()))
                .isEqualTo(Variant.none());
        assertThat(w.function("wasi:io/streams@0.3.0", "[method]output-stream.write", ANY)).isNull();
    }
}
