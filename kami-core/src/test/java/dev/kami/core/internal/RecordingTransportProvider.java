package dev.kami.core.internal;

import dev.kami.Kami;
import dev.kami.spi.Server;
import dev.kami.spi.TransportConfig;
import dev.kami.spi.TransportProvider;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/** A transport for tests (id {@code recording}): remembers the servers it started. */
public final class RecordingTransportProvider implements TransportProvider {
    static final List<RecordingServer> STARTED = new CopyOnWriteArrayList<>();

    @Override
    public String id() {
        return "recording";
    }

    @Override
    public Server start(Kami kami, TransportConfig config) {
        RecordingServer s = new RecordingServer(config.option("name", "unnamed"));
        STARTED.add(s);
        return s;
    }

    static final class RecordingServer implements Server {
        final String name;
        final CountDownLatch closed = new CountDownLatch(1);

        RecordingServer(String name) {
            this.name = name;
        }

        @Override
        public String address() {
            return "recording:" + name;
        }

        @Override
        public void awaitTermination() throws InterruptedException {
            closed.await();
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }
}
