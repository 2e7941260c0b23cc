package tool;

import dev.kami.guest.Kami;
import org.teavm.interop.Export;

/** {{name}}: a KAMI tool (kami-v1) in Java, compiled by TeaVM. Input {"name":"..."}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // not called by KAMI's kami-v1 path; TeaVM needs a main class
    }

    @Export(name = "kami_alloc")
    public static int kamiAlloc(int len) {
        return Kami.alloc(len);
    }

    @Export(name = "kami_run")
    public static int kamiRun(int ptr, int len) {
        return Kami.run(ptr, len, Main::greet);
    }

    static String greet(String input) throws Kami.ToolError {
        String name = Kami.jsonGetString(input, "name");
        if (name == null) {
            throw new Kami.ToolError("missing argument 'name' (a string)");
        }
        Kami.log(Kami.DEBUG, "{{name}}: greeting");
        return "{\"greeting\":" + Kami.jsonQuote("Hello, " + name + "!") + "}";
    }
}
