package dev.kami.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A {@code kami serve --transport http --port 0} child process of the jar, with the address it printed. */
final class ServedNode implements AutoCloseable {
    private static final Pattern ADDRESS = Pattern.compile("(http://127\\.0\\.0\\.1:(\\d+))/mcp");
    final Process process;
    final String address;
    final int port;
    final String banner;
    final List<String> stderr = java.util.Collections.synchronizedList(new ArrayList<>());

    ServedNode(Path home, String... extra) throws Exception {
        List<String> cmd = KamiRunner.javaCommand();
        cmd.addAll(List.of("--home", home.toString(), "serve", "--transport", "http", "--port", "0"));
        cmd.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().remove("KAMI_HOME");
        pb.environment().remove("KAMI_TOKEN");
        process = pb.start();
        BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
        String line;
        Matcher found = null;
        String seen = null;
        while (found == null && (line = err.readLine()) != null) {
            stderr.add(line);
            Matcher m = ADDRESS.matcher(line);
            if (m.find()) {
                found = m;
                seen = line;
            }
        }
        if (found == null) {
            process.destroy();
            throw new AssertionError("kami serve printed no address; stderr:\n" + String.join("\n", stderr));
        }
        address = found.group(1);
        port = Integer.parseInt(found.group(2));
        banner = seen;
        // keep draining stderr so the child never blocks on a full pipe
        Thread t = new Thread(() -> {
            try {
                String l;
                while ((l = err.readLine()) != null) {
                    stderr.add(l);
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        }, "kami-node-stderr");
        t.setDaemon(true);
        t.start();
        assertThat(address).startsWith("http://127.0.0.1:");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
