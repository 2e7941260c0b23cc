// tag::guest[]
package tool;

import dev.kami.guest.Kami;
import org.teavm.interop.Export;

public final class Main {
    public static void main(String[] args) { }        // TeaVM needs a main class; KAMI never calls it

    @Export(name = "kami_alloc")
    public static int kamiAlloc(int len) { return Kami.alloc(len); }

    @Export(name = "kami_run")
    public static int kamiRun(int ptr, int len) {
        return Kami.run(ptr, len, input -> {
            String name = Kami.jsonGetString(input, "name");
            if (name == null) throw new Kami.ToolError("missing argument 'name' (a string)");
            return "{\"greeting\":" + Kami.jsonQuote("Hello, " + name + "!") + "}";
        });
    }
}
// end::guest[]
