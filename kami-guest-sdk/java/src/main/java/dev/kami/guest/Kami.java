package dev.kami.guest;

import org.teavm.interop.Address;
import org.teavm.interop.Import;

/**
 * The KAMI guest SDK for Java compiled to WebAssembly by TeaVM 0.10.2 ({@code WEBASSEMBLY_WASI}):
 * the {@code kami} host imports (output, log, outbound HTTP) and the glue behind the
 * {@code kami_alloc} / {@code kami_run} exports of the kami-v1 ABI (docs/ABI.md).
 *
 * <p>TeaVM only exports static methods of the main class, so a tool declares the two exports
 * itself and delegates here:
 *
 * <pre>{@code
 * public final class Main {
 *     public static void main(String[] args) { }
 *
 *     @Export(name = "kami_alloc")
 *     public static int kamiAlloc(int len) { return Kami.alloc(len); }
 *
 *     @Export(name = "kami_run")
 *     public static int kamiRun(int ptr, int len) {
 *         return Kami.run(ptr, len, input -> "{\"echo\":" + Kami.jsonQuote(input) + "}");
 *     }
 * }
 * }</pre>
 */
public final class Kami {
    public static final int TRACE = 0;
    public static final int DEBUG = 1;
    public static final int INFO = 2;
    public static final int WARN = 3;
    public static final int ERROR = 4;

    /** The input buffer handed to the host by {@link #alloc}; read back by {@link #run}. */
    private static byte[] input = new byte[0];

    private Kami() {
    }

    @Import(module = "kami", name = "output")
    private static native void output0(int ptr, int len);

    @Import(module = "kami", name = "log")
    private static native void log0(int level, int ptr, int len);

    @Import(module = "kami", name = "http_request")
    private static native int httpRequest0(int ptr, int len);

    @Import(module = "kami", name = "http_response")
    private static native int httpResponse0(int ptr);

    /** A tool: takes the input JSON, returns the result, throws {@link ToolError} to fail. */
    @FunctionalInterface
    public interface Tool {
        String run(String input) throws ToolError;
    }

    /** A tool error: its message is what the model sees. */
    public static final class ToolError extends Exception {
        public ToolError(String message) {
            super(message);
        }
    }

    /**
     * Body of the {@code kami_alloc} export: a Java byte array the host writes the input into.
     * No Java code runs between this call and {@code kami_run}, so the array cannot move.
     */
    public static int alloc(int len) {
        input = new byte[Math.max(len, 0)];
        return Address.ofData(input).toInt();
    }

    /** Body of the {@code kami_run} export: decodes the input, runs the tool, outputs. */
    public static int run(int ptr, int len, Tool tool) {
        String in = decodeUtf8(input, 0, Math.min(Math.max(len, 0), input.length));
        try {
            output(tool.run(in));
            return 0;
        } catch (ToolError e) {
            output(e.getMessage() != null ? e.getMessage() : "tool error");
            return 1;
        } catch (RuntimeException e) {
            output("internal error: " + e);
            return 2;
        }
    }

    /** Appends a string (as UTF-8) to the call's output. */
    public static void output(String s) {
        byte[] b = new byte[utf8Length(s)];
        int n = encodeUtf8(s, b);
        if (n > 0) {
            output0(Address.ofData(b).toInt(), n);
        }
    }

    /** Appends bytes to the call's output. */
    public static void output(byte[] bytes) {
        if (bytes.length > 0) {
            output0(Address.ofData(bytes).toInt(), bytes.length);
        }
    }

    /** Logs one line at a level ({@link #TRACE} .. {@link #ERROR}). */
    public static void log(int level, String message) {
        byte[] b = new byte[utf8Length(message)];
        int n = encodeUtf8(message, b);
        log0(level, Address.ofData(b).toInt(), n);
    }

    /**
     * Sends the HTTP request JSON ({"method":"GET","url":"...","headers":{},"body":"..."}) and
     * returns the host's response JSON ({"status":..,"headers":..,"body":".."} or
     * {"error":"denied","message":".."}).
     */
    public static String httpRequest(String requestJson) {
        byte[] req = new byte[utf8Length(requestJson)];
        int n = httpRequest0(Address.ofData(req).toInt(), encodeUtf8(requestJson, req));
        if (n <= 0) {
            return "";
        }
        byte[] resp = new byte[n];
        int got = httpResponse0(Address.ofData(resp).toInt());
        return decodeUtf8(resp, 0, Math.max(0, Math.min(got, n)));
    }

    /** {@link #httpRequest} for a plain GET of url. */
    public static String httpGet(String url) {
        return httpRequest("{\"method\":\"GET\",\"url\":" + jsonQuote(url) + "}");
    }

    /** Returns s as a JSON string literal (with quotes). */
    public static String jsonQuote(String s) {
        char[] in = s.toCharArray();
        int n = 2;
        for (char c : in) {
            n += c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' ? 2 : c < 0x20 ? 6 : 1;
        }
        char[] out = new char[n];
        int o = 0;
        out[o++] = '"';
        for (char c : in) {
            switch (c) {
                case '"': out[o++] = '\\'; out[o++] = '"'; break;
                case '\\': out[o++] = '\\'; out[o++] = '\\'; break;
                case '\n': out[o++] = '\\'; out[o++] = 'n'; break;
                case '\r': out[o++] = '\\'; out[o++] = 'r'; break;
                case '\t': out[o++] = '\\'; out[o++] = 't'; break;
                default:
                    if (c < 0x20) {
                        out[o++] = '\\'; out[o++] = 'u'; out[o++] = '0'; out[o++] = '0';
                        out[o++] = HEX[c >> 4]; out[o++] = HEX[c & 15];
                    } else {
                        out[o++] = c;
                    }
            }
        }
        out[o] = '"';
        return new String(out);
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** The number of bytes s takes in UTF-8. */
    public static int utf8Length(String s) {
        int n = 0;
        int len = s.length();
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /**
     * Encodes s as UTF-8 into out (at least {@link #utf8Length} bytes); returns the byte count.
     * Hand-written: TeaVM's charset machinery is slow under an interpreter.
     */
    public static int encodeUtf8(String s, byte[] out) {
        char[] cs = s.toCharArray();
        int o = 0;
        for (int i = 0; i < cs.length; i++) {
            int c = cs[i];
            if (c < 0x80) {
                out[o++] = (byte) c;
            } else if (c < 0x800) {
                out[o++] = (byte) (0xC0 | (c >> 6));
                out[o++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate((char) c) && i + 1 < cs.length
                    && Character.isLowSurrogate(cs[i + 1])) {
                int cp = Character.toCodePoint((char) c, cs[++i]);
                out[o++] = (byte) (0xF0 | (cp >> 18));
                out[o++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                out[o++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[o++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                if (Character.isSurrogate((char) c)) {
                    c = 0xFFFD; // a lone surrogate is not encodable
                }
                out[o++] = (byte) (0xE0 | (c >> 12));
                out[o++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                out[o++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return o;
    }

    /** Decodes UTF-8 (malformed sequences become U+FFFD). */
    public static String decodeUtf8(byte[] b, int off, int len) {
        char[] out = new char[len];
        int o = 0;
        int end = off + len;
        int i = off;
        while (i < end) {
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                out[o++] = (char) c;
                i++;
                continue;
            }
            int need = c >= 0xF0 && c < 0xF5 ? 3 : c >= 0xE0 ? 2 : c >= 0xC2 && c < 0xE0 ? 1 : -1;
            if (c >= 0xF5) {
                need = -1;
            }
            int cp = need == 3 ? c & 0x07 : need == 2 ? c & 0x0F : c & 0x1F;
            boolean ok = need > 0 && i + need < end;
            if (ok) {
                for (int k = 1; k <= need; k++) {
                    int d = b[i + k] & 0xFF;
                    if ((d & 0xC0) != 0x80) {
                        ok = false;
                        break;
                    }
                    cp = (cp << 6) | (d & 0x3F);
                }
            }
            if (ok && (need == 2 && (cp < 0x800 || (cp >= 0xD800 && cp < 0xE000))
                    || need == 3 && (cp < 0x10000 || cp > 0x10FFFF))) {
                ok = false;
            }
            if (!ok) {
                out[o++] = '\uFFFD';
                i++;
                continue;
            }
            if (cp >= 0x10000) {
                out[o++] = Character.highSurrogate(cp);
                out[o++] = Character.lowSurrogate(cp);
            } else {
                out[o++] = (char) cp;
            }
            i += need + 1;
        }
        return new String(out, 0, o);
    }

    /**
     * The string argument key of the top-level JSON object, or null when absent or not a
     * string. A small scanner, not a full JSON parser.
     */
    public static String jsonGetString(String json, String key) {
        char[] s = json.toCharArray();
        int i = skipWs(s, 0);
        if (i >= s.length || s[i] != '{') {
            return null;
        }
        i++;
        while (true) {
            i = skipWs(s, i);
            if (i >= s.length || s[i] != '"') {
                return null;
            }
            int ke = skipValue(s, i);
            if (ke < 0) {
                return null;
            }
            String k = unquote(s, i, ke);
            i = skipWs(s, ke);
            if (i >= s.length || s[i] != ':') {
                return null;
            }
            int vs = skipWs(s, i + 1);
            int ve = skipValue(s, vs);
            if (ve < 0) {
                return null;
            }
            if (key.equals(k)) {
                return vs < s.length && s[vs] == '"' ? unquote(s, vs, ve) : null;
            }
            i = skipWs(s, ve);
            if (i < s.length && s[i] == ',') {
                i++;
                continue;
            }
            return null;
        }
    }

    private static int skipWs(char[] s, int i) {
        while (i < s.length && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) {
            i++;
        }
        return i;
    }

    private static int skipValue(char[] s, int i) {
        i = skipWs(s, i);
        int depth = 0;
        do {
            if (i >= s.length) {
                return -1;
            }
            char c = s[i];
            if (c == '"') {
                for (i++; i < s.length && s[i] != '"'; i++) {
                    if (s[i] == '\\') {
                        i++;
                    }
                }
                if (i >= s.length) {
                    return -1;
                }
                i++;
            } else if (c == '{' || c == '[') {
                depth++;
                i++;
            } else if (c == '}' || c == ']') {
                depth--;
                i++;
            } else if (depth == 0) {
                while (i < s.length && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' '
                        && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') {
                    i++;
                }
                return i;
            } else {
                i++;
            }
        } while (depth > 0);
        return i;
    }

    /** Decodes the JSON string literal s[from..to) (quotes included). */
    private static String unquote(char[] s, int from, int to) {
        char[] out = new char[Math.max(0, to - from - 2)];
        int o = 0;
        for (int i = from + 1; i < to - 1; i++) {
            char c = s[i];
            if (c != '\\') {
                out[o++] = c;
                continue;
            }
            char e = s[++i];
            switch (e) {
                case 'n': out[o++] = '\n'; break;
                case 't': out[o++] = '\t'; break;
                case 'r': out[o++] = '\r'; break;
                case 'b': out[o++] = '\b'; break;
                case 'f': out[o++] = '\f'; break;
                case 'u': {
                    int v = 0;
                    for (int k = 1; k <= 4 && i + k < to - 1; k++) {
                        v = v * 16 + Character.digit(s[i + k], 16);
                    }
                    out[o++] = (char) v;
                    i += 4;
                    break;
                }
                default: out[o++] = e;
            }
        }
        return new String(out, 0, o);
    }
}
