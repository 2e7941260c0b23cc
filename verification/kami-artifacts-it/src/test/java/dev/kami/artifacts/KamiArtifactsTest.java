package dev.kami.artifacts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.artifacts.Reactor.Module;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/**
 * The artifacts as a user (and Maven Central) receives them, read from what this build packaged:
 * the BOM lists every published module, each library jar names its module, comes with sources
 * and javadoc jars, and its published POM carries no build-only settings (ADR 0010).
 */
class KamiArtifactsTest {

    private static final Set<String> BUILD_ONLY = Set.of(
            "parent", "build", "properties", "dependencyManagement", "profiles", "repositories",
            "pluginRepositories", "reporting", "modules", "distributionManagement");

    private static List<Module> libraries() {
        return Reactor.published().stream().filter(m -> !m.packaging().equals("pom")).toList();
    }

    @Test
    void theBomManagesEveryPublishedModuleAtThisVersionAndNothingElse() {
        Module bom = Reactor.module("kami-bom");
        Element project = Reactor.parse(bom.publishedPom()).getDocumentElement();
        assertThat(Reactor.text(project, "parent")).as("kami-bom's published POM has a parent").isEmpty();
        assertThat(Reactor.children(project, "dependencies")).as("kami-bom has dependencies").isEmpty();

        Element managed = Reactor.child(project, "dependencyManagement").flatMap(d -> Reactor.child(d, "dependencies"))
                .orElseThrow(() -> new AssertionError("kami-bom's published POM has no dependencyManagement"));
        List<String> listed = new ArrayList<>();
        for (Element d : Reactor.children(managed, "dependency")) {
            assertThat(Reactor.text(d, "groupId")).as("kami-bom manages only KAMI's modules").contains(Reactor.GROUP);
            assertThat(Reactor.text(d, "version").orElseThrow()).as("version of %s", Reactor.text(d, "artifactId"))
                    .isIn(Reactor.VERSION, "${project.version}");
            listed.add(Reactor.text(d, "artifactId").orElseThrow());
        }
        assertThat(listed).as("the modules kami-bom manages (every module with a kami.module.name)")
                .containsExactlyInAnyOrderElementsOf(libraries().stream().map(Module::artifactId).toList());
        assertThat(listed).contains("kami-api", "kami-core", "kami-wasm-chicory", "kami-store-jdbc", "kami-mcp",
                "kami-junit", "kami-langchain4j", "kami-spring-ai", "kami-tck", "kami-guest-sdk");
    }

    @Test
    void everyLibraryJarNamesItsModuleInItsManifest() throws IOException {
        Set<String> names = new HashSet<>();
        for (Module m : libraries()) {
            assertThat(m.jar("")).as("the jar of %s (package the reactor first)", m.artifactId()).isRegularFile();
            try (JarFile jar = new JarFile(m.jar("").toFile())) {
                String name = jar.getManifest().getMainAttributes().getValue("Automatic-Module-Name");
                assertThat(name).as("Automatic-Module-Name of %s", m.artifactId()).isEqualTo(m.moduleName());
                assertThat(name).as("module name of %s", m.artifactId()).startsWith("dev.kami.");
                ModuleDescriptor.newAutomaticModule(name); // throws for a name the module system refuses
                assertThat(names.add(name)).as("%s is the module name of two jars", name).isTrue();
                assertThat(jar.getManifest().getMainAttributes().getValue("Implementation-Version"))
                        .as("Implementation-Version of %s", m.artifactId()).isEqualTo(Reactor.VERSION);
            }
        }
        assertThat(names).contains("dev.kami.api", "dev.kami.core", "dev.kami.junit");
    }

    @Test
    void everyLibraryHasASourcesJarAndAJavadocJar() throws IOException {
        for (Module m : libraries()) {
            List<String> classes = entries(m, "").stream().filter(e -> e.endsWith(".class")).toList();
            List<String> sources = entries(m, "sources");
            List<String> javadoc = entries(m, "javadoc");
            if (classes.isEmpty()) {
                // a resource-only jar (the guest SDK's templates): its sources are its resources,
                // its javadoc jar says where the documentation is
                assertThat(sources).as("sources of %s", m.artifactId()).isNotEmpty();
                assertThat(javadoc).as("javadoc jar of %s", m.artifactId()).contains("README.md");
                continue;
            }
            for (String c : classes) {
                if (c.contains("$") || c.endsWith("module-info.class")) {
                    continue;
                }
                assertThat(sources).as("sources of %s", m.artifactId()).contains(c.replace(".class", ".java"));
            }
            assertThat(javadoc).as("javadoc of %s", m.artifactId()).contains("index.html");
            // API packages are documented, internal ones are not
            for (String c : classes) {
                if (!c.contains("$") && !c.contains("/internal/") && !c.endsWith("package-info.class")
                        && !c.endsWith("module-info.class") && isPublic(m, c)) {
                    assertThat(javadoc).as("javadoc of %s", m.artifactId()).contains(c.replace(".class", ".html"));
                }
            }
        }
    }

    @Test
    void publishedPomsCarryNoBuildOnlySettings() {
        for (Module m : Reactor.published()) {
            Element project = Reactor.parse(m.publishedPom()).getDocumentElement();
            for (String element : BUILD_ONLY) {
                if (m.artifactId().equals("kami-bom") && element.equals("dependencyManagement")) {
                    continue;
                }
                assertThat(Reactor.child(project, element)).as("<%s> in the published POM of %s", element, m.artifactId())
                        .isEmpty();
            }
            assertThat(Reactor.text(project, "groupId")).contains(Reactor.GROUP);
            assertThat(Reactor.text(project, "version")).contains(Reactor.VERSION);
            for (String element : List.of("name", "description", "url")) {
                assertThat(Reactor.text(project, element)).as("<%s> of %s (Maven Central needs it)", element, m.artifactId())
                        .hasValueSatisfying(v -> assertThat(v).isNotBlank().doesNotContain("${"));
            }
            assertThat(Reactor.text(project, "url")).contains("https://github.com/kami-java/kami");
            assertThat(Reactor.child(project, "licenses")).as("licenses of %s", m.artifactId()).isPresent();
            Reactor.child(project, "dependencies").ifPresent(deps -> {
                for (Element d : Reactor.children(deps, "dependency")) {
                    String id = Reactor.text(d, "artifactId").orElseThrow();
                    assertThat(Reactor.text(d, "version")).as("version of %s in %s", id, m.artifactId())
                            .hasValueSatisfying(v -> assertThat(v).isNotBlank().doesNotContain("${"));
                    assertThat(Reactor.text(d, "scope").orElse("compile")).as("scope of %s in %s", id, m.artifactId())
                            .isNotEqualTo("test");
                }
            });
        }
    }

    @Test
    void kamiJunitLeavesTheJupiterApiToTheTestProject() {
        Element deps = Reactor.child(Reactor.parse(Reactor.module("kami-junit").publishedPom()).getDocumentElement(),
                "dependencies").orElseThrow();
        for (Element d : Reactor.children(deps, "dependency")) {
            String group = Reactor.text(d, "groupId").orElseThrow();
            if (group.startsWith("org.junit")) {
                assertThat(Reactor.text(d, "scope")).as("scope of %s:%s in kami-junit's POM", group,
                        Reactor.text(d, "artifactId").orElseThrow()).contains("provided");
            }
        }
    }

    private static boolean isPublic(Module m, String classEntry) throws IOException {
        try (JarFile jar = new JarFile(m.jar("").toFile());
                var in = jar.getInputStream(jar.getJarEntry(classEntry))) {
            byte[] b = in.readAllBytes();
            // class file: magic, minor, major, constant pool, then access flags
            int i = 10;
            int count = ((b[8] & 0xff) << 8) | (b[9] & 0xff);
            for (int k = 1; k < count; k++) {
                int tag = b[i] & 0xff;
                switch (tag) {
                    case 1 -> i += 3 + (((b[i + 1] & 0xff) << 8) | (b[i + 2] & 0xff));
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> i += 5;
                    case 5, 6 -> {
                        i += 9;
                        k++;
                    }
                    case 7, 8, 16, 19, 20 -> i += 3;
                    case 15 -> i += 4;
                    default -> throw new IllegalStateException("unknown constant tag " + tag + " in " + classEntry);
                }
            }
            int access = ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
            return (access & 0x0001) != 0;
        }
    }

    private static List<String> entries(Module m, String classifier) throws IOException {
        assertThat(m.jar(classifier)).as("%s jar of %s", classifier.isEmpty() ? "the" : classifier, m.artifactId())
                .isRegularFile();
        try (JarFile jar = new JarFile(m.jar(classifier).toFile())) {
            return jar.stream().map(JarEntry::getName).toList();
        }
    }
}
