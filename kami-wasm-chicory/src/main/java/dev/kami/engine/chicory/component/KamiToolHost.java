package dev.kami.engine.chicory.component;

import dev.kami.engine.chicory.component.wasi.WasiPreview2;
import java.util.Objects;

/**
 * The host of one call of a {@code kami:tool} component: {@code kami:tool/host#log} into the
 * given sink, every WASI 0.2 import to {@link WasiPreview2}.
 */
public final class KamiToolHost implements ComponentHost {
    /** Receives {@code host.log}: level 0 (trace) to 4 (error) and the message. */
    @FunctionalInterface
    public interface LogSink {
        void log(int level, String message);
    }

    private final WasiPreview2 wasi;
    private final LogSink log;

    public KamiToolHost(WasiPreview2 wasi, LogSink log) {
        this.wasi = Objects.requireNonNull(wasi, "wasi");
        this.log = Objects.requireNonNull(log, "log");
    }

    @Override
    public HostFunc function(String instance, String name, CType.FuncT type) {
        if (KamiToolWorld.isKami(instance, "host")) {
            if (!name.equals("log")) {
                return null;
            }
            return args -> {
                log.log((Integer) args.get(0), (String) args.get(1));
                return null;
            };
        }
        return wasi.function(instance, name, type);
    }
}
