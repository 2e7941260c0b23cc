package dev.kami;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The API jar must not depend on Chicory, JDBC or Jackson (issue 2; DESIGN §1). */
class ApiDependenciesTest {
    private static final List<String> FORBIDDEN = List.of("com/dylibso/", "java/sql/", "javax/sql/", "tools/jackson/",
            "com/fasterxml/", "org/tomlj/", "org/bouncycastle/", "org/slf4j/");

    @Test
    void noApiClassReferencesAnImplementationLibrary() throws IOException, URISyntaxException {
        Path classes = Path.of(Kami.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> offenders = new ArrayList<>();
        int scanned = 0;
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                scanned++;
                // class-file constant pools hold referenced class names as UTF-8 text
                String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                for (String bad : FORBIDDEN) {
                    if (text.contains(bad)) {
                        offenders.add(classes.relativize(f) + " -> " + bad);
                    }
                }
            }
        }
        assertThat(scanned).as("API classes scanned").isGreaterThan(40);
        assertThat(offenders).isEmpty();
    }
}
