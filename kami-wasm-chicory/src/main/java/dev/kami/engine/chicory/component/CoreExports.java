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

    /** What an empty import name is renamed to before Chicory reads the module. */
    static final String EMPTY_NAME = "\u0000empty";

    /**
     * Renames imports whose module and field names are both empty (wit-component's start shim:
     * {@code (import "" "" (func))}), which Chicory 1.7.5 cannot read (it takes the pair for the
     * compact import encoding), to the field name {@link #EMPTY_NAME}. The linker maps it back.
     *
     * @return the module, rewritten only if it had such an import
     */
    static byte[] patchEmptyImports(byte[] module) {
        int[] pos = {8};
        while (pos[0] < module.length) {
            int sectionStart = pos[0];
            int id = module[pos[0]++] & 0xff;
            int size = leb(module, pos);
            int body = pos[0];
            int end = body + size;
            if (id != 2) {
                pos[0] = end;
                continue;
            }
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            int n = leb(module, pos);
            writeLeb(out, n);
            boolean changed = false;
            for (int i = 0; i < n; i++) {
                int modLen = leb(module, pos);
                byte[] mod = java.util.Arrays.copyOfRange(module, pos[0], pos[0] + modLen);
                pos[0] += modLen;
                int nameLen = leb(module, pos);
                byte[] name = java.util.Arrays.copyOfRange(module, pos[0], pos[0] + nameLen);
                pos[0] += nameLen;
                if (modLen == 0 && nameLen == 0) {
                    name = EMPTY_NAME.getBytes(StandardCharsets.UTF_8);
                    changed = true;
                }
                writeLeb(out, mod.length);
                out.writeBytes(mod);
                writeLeb(out, name.length);
                out.writeBytes(name);
                int descStart = pos[0];
                skipImportDesc(module, pos);
                out.write(module, descStart, pos[0] - descStart);
            }
            if (!changed) {
                return module;
            }
            byte[] section = out.toByteArray();
            java.io.ByteArrayOutputStream whole = new java.io.ByteArrayOutputStream();
            whole.write(module, 0, sectionStart);
            whole.write(2);
            writeLeb(whole, section.length);
            whole.writeBytes(section);
            whole.write(module, end, module.length - end);
            return whole.toByteArray();
        }
        return module;
    }

    private static void skipImportDesc(byte[] b, int[] pos) {
        int kind = b[pos[0]++] & 0xff;
        switch (kind) {
            case 0x00 -> leb(b, pos);
            case 0x01 -> {
                refOrValType(b, pos);
                limits(b, pos);
            }
            case 0x02 -> limits(b, pos);
            case 0x03 -> {
                refOrValType(b, pos);
                pos[0]++;
            }
            case 0x04 -> {
                pos[0]++;
                leb(b, pos);
            }
            default -> throw new IllegalArgumentException("import kind " + kind);
        }
    }

    private static void refOrValType(byte[] b, int[] pos) {
        int t = b[pos[0]++] & 0xff;
        if (t == 0x63 || t == 0x64) {
            leb(b, pos);
        }
    }

    private static void limits(byte[] b, int[] pos) {
        int flags = b[pos[0]++] & 0xff;
        leb(b, pos);
        if ((flags & 1) != 0) {
            leb(b, pos);
        }
    }

    private static void writeLeb(java.io.ByteArrayOutputStream out, int v) {
        long x = Integer.toUnsignedLong(v);
        do {
            int b = (int) (x & 0x7f);
            x >>>= 7;
            out.write(x != 0 ? b | 0x80 : b);
        } while (x != 0);
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
