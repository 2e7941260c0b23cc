package dev.kami.engine.chicory;

import dev.kami.spi.EngineConfig;
import dev.kami.spi.ToolEngine;
import dev.kami.tck.engine.ToolEngineContract;
import java.util.HashMap;
import java.util.Map;

/** The engine contract on Chicory's compiler (the default mode). */
class ChicoryCompiledEngineTest extends ToolEngineContract {
    @Override
    protected ToolEngine createEngine(EngineConfig config) {
        Map<String, String> options = new HashMap<>(config.options());
        options.put(EngineConfig.MODE, "compiled");
        return new ChicoryEngineProvider().create(new EngineConfig(options));
    }

    @Override
    protected boolean expectsFuel() {
        return false;
    }
}
