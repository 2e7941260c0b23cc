package dev.kami.artifacts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The modules of this build as the root POM lists them, and the files their packaging left in
 * {@code target/}: what {@code mvn install} would put in a local repository.
 */
final class Reactor {
    static final Path ROOT = Path.of(System.getProperty("kami.root", "../..")).toAbsolutePath().normalize();
    static final String VERSION = System.getProperty("kami.version", "0.1.0-SNAPSHOT");
    static final String GROUP = "dev.kami";

    private Reactor() {
    }

    /** One module of the reactor. {@code moduleName} is its {@code kami.module.name}, or null when it is not published. */
    record Module(Path dir, String artifactId, String packaging, String moduleName) {
        boolean published() {
            return moduleName != null || artifactId.equals("kami-bom");
        }

        Path target() {
            return dir.resolve("target");
        }

        Path jar(String classifier) {
            return target().resolve(artifactId + "-" + VERSION + (classifier.isEmpty() ? "" : "-" + classifier) + ".jar");
        }

        /** The POM that install and deploy publish (flatten-maven-plugin's output). */
        Path publishedPom() {
            return target().resolve("flattened-pom.xml");
        }
    }

    static List<Module> modules() {
        Document root = parse(ROOT.resolve("pom.xml"));
        List<Module> out = new ArrayList<>();
        Element modules = child(root.getDocumentElement(), "modules").orElseThrow();
        for (Element m : children(modules, "module")) {
            Path dir = ROOT.resolve(m.getTextContent().strip());
            Element project = parse(dir.resolve("pom.xml")).getDocumentElement();
            String artifactId = text(project, "artifactId").orElseThrow();
            String packaging = text(project, "packaging").orElse("jar");
            String moduleName = child(project, "properties").flatMap(p -> text(p, "kami.module.name")).orElse(null);
            out.add(new Module(dir, artifactId, packaging, moduleName));
        }
        return out;
    }

    static List<Module> published() {
        return modules().stream().filter(Module::published).toList();
    }

    static Module module(String artifactId) {
        return modules().stream().filter(m -> m.artifactId().equals(artifactId)).findFirst()
                .orElseThrow(() -> new AssertionError("no module " + artifactId + " in " + ROOT.resolve("pom.xml")));
    }

    static Document parse(Path pom) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(false);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return f.newDocumentBuilder().parse(pom.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + pom + ": " + e, e);
        }
    }

    static Optional<Element> child(Element parent, String name) {
        List<Element> all = children(parent, name);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node n = nodes.item(i);
            if (n instanceof Element e && e.getTagName().equals(name)) {
                out.add(e);
            }
        }
        return out;
    }

    static Optional<String> text(Element parent, String name) {
        return child(parent, name).map(e -> e.getTextContent().strip());
    }

    /**
     * Lays the published artifacts out as {@code mvn install} does in a local repository: the
     * published POM, the jar and its sources and javadoc jars, under
     * {@code dev/kami/<artifactId>/<version>/}.
     */
    static void installInto(Path repository) throws IOException {
        for (Module m : published()) {
            Path dir = repository.resolve(GROUP.replace('.', '/')).resolve(m.artifactId()).resolve(VERSION);
            Files.createDirectories(dir);
            String base = m.artifactId() + "-" + VERSION;
            Files.copy(m.publishedPom(), dir.resolve(base + ".pom"));
            if (!m.packaging().equals("pom")) {
                for (String classifier : List.of("", "sources", "javadoc")) {
                    Files.copy(m.jar(classifier), dir.resolve(m.jar(classifier).getFileName()));
                }
            }
        }
    }
}
