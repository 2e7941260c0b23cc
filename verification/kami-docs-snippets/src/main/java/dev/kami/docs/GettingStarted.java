package dev.kami.docs;

import dev.kami.InstallOptions;
import dev.kami.Kami;
import dev.kami.ToolResult;
import java.nio.file.Path;

/** The snippet of docs/GETTING_STARTED.md, section "Embed it". */
final class GettingStarted {
    private GettingStarted() {
    }

    static void embed(Path echo) {
        // tag::embed[]
        try (Kami kami = Kami.builder().build()) {              // Chicory engine, SQLite registry
            kami.install(echo.toString(), InstallOptions.defaults().withForce(true));
            ToolResult r = kami.call("dev.kami.echo", "{\"message\":\"hi\"}");
            System.out.println(r.text());
        }
        // end::embed[]
    }
}
