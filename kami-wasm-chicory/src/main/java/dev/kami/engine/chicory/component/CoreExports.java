package dev.kami.engine.chicory.component;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the export section of a core module without parsing the rest (for alias checks). */
final class CoreExports {
    private CoreExports() {
    }

    /** @return export name to sort, or null if the module cannot be scanned (Chicory reports that later) */
    static Map<String, Component.CoreSort> of(byte[] module) {
        try {
            int[] pos = {8};
            while (pos[0] < module.length) {
                int id = module[pos[0]++] & 0xff;
                int size = leb(module, pos);
                int end = pos[0] + size;
                if (id == 7) {
                    Map<String, Component.CoreSort> out = new LinkedHashMap<>();
                    int n = leb(module, pos);
                    for (int i = 0; i < n; i++) {
                        int len = leb(module, pos);
                        String name = new String(module, pos[0], len, StandardCharsets.UTF_8);
                        pos[0] += len;
                        int kind = module[pos[0]++] & 0xff;
                        leb(module, pos);
                        out.put(name, switch (kind) {
                            case 0 -> Component.CoreSort.FUNC;
                            case 1 -> Component.CoreSort.TABLE;
                            case 2 -> Component.CoreSort.MEMORY;
                            case 3 -> Component.CoreSort.GLOBAL;
                            default -> Component.CoreSort.TAG;
                        });
                    }
                    return out;
                }
                pos[0] = end;
            }
            return Map.of();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static int leb(byte[] b, int[] pos) {
        int result = 0;
        int shift = 0;
        while (true) {
            int x = b[pos[0]++] & 0xff;
            result |= (x & 0x7f) << shift;
            if ((x & 0x80) == 0) {
                return result;
            }
            shift += 7;
        }
    }
}
