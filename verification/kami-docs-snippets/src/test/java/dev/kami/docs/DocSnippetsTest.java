package dev.kami.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every Java block of README.md and docs/ is a region of a source file of this module, which
 * the build compiles (and, for tests, runs): a snippet that no longer compiles fails the build,
 * and a doc that drifts from its source fails this test.
 *
 * <p>In Markdown, the line before a {@code ```java} fence names the source and region:
 * {@code <!-- snippet: verification/kami-docs-snippets/src/main/java/dev/kami/docs/Embedding.java#program -->}.
 * In the source, the region lies between {@code // tag::program[]} and {@code // end::program[]}
 * (several such pairs are joined), and is shown without its common indentation. A block that
 * quotes code that is not ours says so instead: {@code <!-- not compiled: why -->}.
 *
 * <p>After changing a source, {@code mvn -pl verification/kami-docs-snippets test
 * -Dkami.snippets.update=true} (with {@code -am} in a fresh checkout) writes the regions back
 * into the docs.
 */
class DocSnippetsTest {
    static final Path ROOT = Path.of(System.getProperty("kami.root", "../..")).toAbsolutePath().normalize();
    private static final Pattern SNIPPET = Pattern.compile("\\s*<!-- snippet: (\\S+)#([A-Za-z0-9_-]+) -->\\s*");
    private static final Pattern NOT_COMPILED = Pattern.compile("\\s*<!-- not compiled: .+ -->\\s*");

    /** One {@code ```java} block of a Markdown file. */
    record Block(Path doc, int fence, String indent, String marker, List<String> lines) {
        String where() {
            return ROOT.relativize(doc) + ":" + (fence + 1);
        }
    }

    @Test
    void everyJavaBlockOfTheDocsIsACompiledSourceRegion() throws IOException {
        boolean update = Boolean.getBoolean("kami.snippets.update");
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Path doc : docs()) {
            List<String> text = Files.readAllLines(doc);
            List<Block> blocks = blocks(doc, text);
            boolean changed = false;
            for (int b = blocks.size() - 1; b >= 0; b--) { // from the end, so that updates keep earlier indexes
                Block block = blocks.get(b);
                if (block.marker() != null && NOT_COMPILED.matcher(block.marker()).matches()) {
                    continue;
                }
                Matcher m = block.marker() == null ? null : SNIPPET.matcher(block.marker());
                if (m == null || !m.matches()) {
                    problems.add(block.where() + ": a ```java block without a <!-- snippet: path#region --> line before it"
                            + " (keep the code in verification/kami-docs-snippets and name it there)");
                    continue;
                }
                checked++;
                Path source = ROOT.resolve(m.group(1));
                List<String> region;
                try {
                    region = region(source, m.group(2));
                } catch (IllegalArgumentException e) {
                    problems.add(block.where() + ": " + e.getMessage());
                    continue;
                }
                if (!region.equals(block.lines())) {
                    if (update) {
                        List<String> indented = region.stream().map(l -> l.isEmpty() ? l : block.indent() + l).toList();
                        for (int k = 0; k < block.lines().size(); k++) {
                            text.remove(block.fence() + 1);
                        }
                        text.addAll(block.fence() + 1, indented);
                        changed = true;
                    } else {
                        problems.add(block.where() + ": differs from " + m.group(1) + "#" + m.group(2) + "\n"
                                + firstDifference(block.lines(), region));
                    }
                }
            }
            if (changed) {
                Files.write(doc, text);
            }
        }
        assertThat(problems).as("Java blocks of the docs against their sources (rerun with "
                + "-Dkami.snippets.update=true to copy the sources into the docs)").isEmpty();
        assertThat(checked).as("snippets checked").isGreaterThanOrEqualTo(6);
    }

    @Test
    void aRegionIsTheTaggedLinesWithoutTheirCommonIndentation() throws IOException {
        Path file = Files.createTempFile("snippet", ".java");
        try {
            Files.write(file, List.of("class A {", "    // tag::x[]", "    void a() {", "        b();", "    }",
                    "    // end::x[]", "    // tag::x[]", "", "    void c() { }", "    // end::x[]", "}"));
            assertThat(region(file, "x")).containsExactly("void a() {", "    b();", "}", "", "void c() { }");
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> region(file, "y")))
                    .hasMessageContaining("no region 'y'").hasMessageContaining("// tag::y[]");
        } finally {
            Files.delete(file);
        }
    }

    static List<Path> docs() throws IOException {
        List<Path> out = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        for (Path dir : List.of(ROOT.resolve("docs"), ROOT.resolve("docs/adr"))) {
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(f -> f.toString().endsWith(".md")).sorted().forEach(out::add);
            }
        }
        return out;
    }

    static List<Block> blocks(Path doc, List<String> text) {
        List<Block> out = new ArrayList<>();
        for (int i = 0; i < text.size(); i++) {
            String line = text.get(i);
            if (!line.strip().equals("```java")) {
                continue;
            }
            String indent = line.substring(0, line.indexOf('`'));
            int end = i + 1;
            while (end < text.size() && !text.get(end).strip().equals("```")) {
                end++;
            }
            List<String> body = new ArrayList<>();
            for (String l : text.subList(i + 1, end)) {
                body.add(l.startsWith(indent) ? l.substring(indent.length()) : l.strip());
            }
            out.add(new Block(doc, i, indent, i > 0 ? text.get(i - 1) : null, body));
            i = end;
        }
        return out;
    }

    static List<String> region(Path source, String tag) throws IOException {
        if (!Files.isRegularFile(source)) {
            throw new IllegalArgumentException("no source file " + source);
        }
        String open = "// tag::" + tag + "[]";
        String close = "// end::" + tag + "[]";
        List<String> lines = new ArrayList<>();
        boolean inside = false;
        boolean found = false;
        for (String l : Files.readAllLines(source)) {
            if (l.strip().equals(open)) {
                inside = true;
                found = true;
            } else if (l.strip().equals(close)) {
                inside = false;
            } else if (inside && !l.strip().startsWith("// tag::") && !l.strip().startsWith("// end::")) {
                lines.add(l);
            }
        }
        if (!found) {
            throw new IllegalArgumentException("no region '" + tag + "' in " + source + " (mark it with " + open
                    + " ... " + close + ")");
        }
        int indent = lines.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length())
                .min().orElse(0);
        return lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList();
    }

    private static String firstDifference(List<String> doc, List<String> source) {
        for (int i = 0; i < Math.max(doc.size(), source.size()); i++) {
            String d = i < doc.size() ? doc.get(i) : "(end of block)";
            String s = i < source.size() ? source.get(i) : "(end of region)";
            if (!d.equals(s)) {
                return "  line " + (i + 1) + " of the block\n    doc:    " + d + "\n    source: " + s;
            }
        }
        return "";
    }
}
