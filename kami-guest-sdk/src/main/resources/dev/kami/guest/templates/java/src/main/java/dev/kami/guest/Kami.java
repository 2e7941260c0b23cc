package dev.kami.guest;

import java.nio.charset.StandardCharsets;
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
        String in = new String(input, 0, Math.min(Math.max(len, 0), input.length), StandardCharsets.UTF_8);
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
        output(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Appends bytes to the call's output. */
    public static void output(byte[] bytes) {
        if (bytes.length > 0) {
            output0(Address.ofData(bytes).toInt(), bytes.length);
        }
    }

    /** Logs one line at a level ({@link #TRACE} .. {@link #ERROR}). */
    public static void log(int level, String message) {
        byte[] b = message.getBytes(StandardCharsets.UTF_8);
        log0(level, Address.ofData(b).toInt(), b.length);
    }

    /**
     * Sends the HTTP request JSON ({"method":"GET","url":"...","headers":{},"body":"..."}) and
     * returns the host's response JSON ({"status":..,"headers":..,"body":".."} or
     * {"error":"denied","message":".."}).
     */
    public static String httpRequest(String requestJson) {
        byte[] req = requestJson.getBytes(StandardCharsets.UTF_8);
        int n = httpRequest0(Address.ofData(req).toInt(), req.length);
        if (n <= 0) {
            return "";
        }
        byte[] resp = new byte[n];
        int got = httpResponse0(Address.ofData(resp).toInt());
        return new String(resp, 0, Math.max(0, Math.min(got, n)), StandardCharsets.UTF_8);
    }

    /** {@link #httpRequest} for a plain GET of url. */
    public static String httpGet(String url) {
        return httpRequest("{\"method\":\"GET\",\"url\":" + jsonQuote(url) + "}");
    }

    /** Returns s as a JSON string literal (with quotes). */
    public static String jsonQuote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        sb.append("\\u00").append("0123456789abcdef".charAt(c >> 4))
                                .append("0123456789abcdef".charAt(c & 15));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"').toString();
    }

    /**
     * The string argument key of the top-level JSON object, or null when absent or not a
     * string. A small scanner, not a full JSON parser.
     */
    public static String jsonGetString(String json, String key) {
        int i = skipWs(json, 0);
        if (i >= json.length() || json.charAt(i) != '{') {
            return null;
        }
        i++;
        while (true) {
            i = skipWs(json, i);
            if (i >= json.length() || json.charAt(i) != '"') {
                return null;
            }
            int ke = skipValue(json, i);
            if (ke < 0) {
                return null;
            }
            String k = unquote(json.substring(i, ke));
            i = skipWs(json, ke);
            if (i >= json.length() || json.charAt(i) != ':') {
                return null;
            }
            int vs = skipWs(json, i + 1);
            int ve = skipValue(json, vs);
            if (ve < 0) {
                return null;
            }
            if (key.equals(k)) {
                return vs < json.length() && json.charAt(vs) == '"' ? unquote(json.substring(vs, ve)) : null;
            }
            i = skipWs(json, ve);
            if (i < json.length() && json.charAt(i) == ',') {
                i++;
                continue;
            }
            return null;
        }
    }

    private static int skipWs(String s, int i) {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\n'
                || s.charAt(i) == '\r')) {
            i++;
        }
        return i;
    }

    private static int skipValue(String s, int i) {
        i = skipWs(s, i);
        int depth = 0;
        do {
            if (i >= s.length()) {
                return -1;
            }
            char c = s.charAt(i);
            if (c == '"') {
                for (i++; i < s.length() && s.charAt(i) != '"'; i++) {
                    if (s.charAt(i) == '\\') {
                        i++;
                    }
                }
                if (i >= s.length()) {
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
                while (i < s.length() && ",}] \t\r\n".indexOf(s.charAt(i)) < 0) {
                    i++;
                }
                return i;
            } else {
                i++;
            }
        } while (depth > 0);
        return i;
    }

    private static String unquote(String lit) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < lit.length() - 1; i++) {
            char c = lit.charAt(i);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = lit.charAt(++i);
            switch (e) {
                case 'n': sb.append('\n'); break;
                case 't': sb.append('\t'); break;
                case 'r': sb.append('\r'); break;
                case 'b': sb.append('\b'); break;
                case 'f': sb.append('\f'); break;
                case 'u':
                    sb.append((char) Integer.parseInt(lit.substring(i + 1, i + 5), 16));
                    i += 4;
                    break;
                default: sb.append(e);
            }
        }
        return sb.toString();
    }
}
