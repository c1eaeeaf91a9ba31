package dev.baton.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * baton-bom lists every published module of the reactor, at the reactor's version: a module added
 * without a BOM entry would make users write its version by hand, and a BOM left at an old version
 * would pin them to it. (The BOM has no parent, so nothing else keeps the two in step.)
 */
class BomTest {

    /** Reactor modules that are not published: tests, samples, benchmarks, this report. */
    private static final Set<String> NOT_PUBLISHED =
            Set.of(
                    "baton-bom",
                    "baton-bench",
                    "baton-sample-scheduler",
                    "baton-spring-boot3-tests",
                    "baton-build-report");

    @Test
    void theBomListsEveryPublishedModuleAtTheReactorsVersion() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Document parent = parse(Files.readString(root.resolve("pom.xml")));
        List<Document> modules = new ArrayList<>();
        for (String module : children(parent.getDocumentElement(), "modules", "module")) {
            modules.add(parse(Files.readString(root.resolve(module).resolve("pom.xml"))));
        }
        Document bom = parse(Files.readString(root.resolve("baton-bom/pom.xml")));

        assertThat(problems(parent, modules, bom)).isEmpty();
    }

    @Test
    void aModuleMissingFromTheBomOrAStaleVersionIsReported() throws Exception {
        Document parent =
                parse(
                        "<project><version>2.0</version><modules><module>a</module>"
                                + "<module>b</module></modules></project>");
        List<Document> modules =
                List.of(
                        parse("<project><artifactId>baton-a</artifactId></project>"),
                        parse("<project><artifactId>baton-b</artifactId></project>"));
        Document bom =
                parse(
                        "<project><version>1.0</version><dependencyManagement><dependencies>"
                                + "<dependency><artifactId>baton-a</artifactId>"
                                + "<version>${project.version}</version></dependency>"
                                + "<dependency><artifactId>baton-gone</artifactId>"
                                + "<version>1.0</version></dependency>"
                                + "</dependencies></dependencyManagement></project>");

        assertThat(problems(parent, modules, bom))
                .containsExactlyInAnyOrder(
                        "baton-bom is at version 1.0, the reactor at 2.0",
                        "baton-b is published but missing from baton-bom",
                        "baton-gone is in baton-bom but is no published module",
                        "baton-gone has version 1.0 in baton-bom, not ${project.version}");
    }

    static List<String> problems(Document parent, List<Document> modules, Document bom) {
        List<String> problems = new ArrayList<>();
        String reactorVersion = child(parent.getDocumentElement(), "version");
        String bomVersion = child(bom.getDocumentElement(), "version");
        if (!reactorVersion.equals(bomVersion)) {
            problems.add(
                    "baton-bom is at version " + bomVersion + ", the reactor at " + reactorVersion);
        }
        Set<String> published = new TreeSet<>();
        for (Document module : modules) {
            String artifactId = child(module.getDocumentElement(), "artifactId");
            if (!NOT_PUBLISHED.contains(artifactId)) {
                published.add(artifactId);
            }
        }
        Set<String> listed = new TreeSet<>();
        Element management = first(bom.getDocumentElement(), "dependencyManagement");
        Element dependencies = management == null ? null : first(management, "dependencies");
        if (dependencies != null) {
            for (Element dependency : elements(dependencies, "dependency")) {
                String artifactId = child(dependency, "artifactId");
                listed.add(artifactId);
                String version = child(dependency, "version");
                if (!"${project.version}".equals(version)) {
                    problems.add(
                            artifactId
                                    + " has version "
                                    + version
                                    + " in baton-bom, not ${project.version}");
                }
            }
        }
        for (String artifactId : published) {
            if (!listed.contains(artifactId)) {
                problems.add(artifactId + " is published but missing from baton-bom");
            }
        }
        for (String artifactId : listed) {
            if (!published.contains(artifactId)) {
                problems.add(artifactId + " is in baton-bom but is no published module");
            }
        }
        return problems;
    }

    private static Document parse(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        try (var in = new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8))) {
            return factory.newDocumentBuilder().parse(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The text of {@code parent}'s direct child {@code name}, or null. */
    private static String child(Element parent, String name) {
        Element e = first(parent, name);
        return e == null ? null : e.getTextContent().trim();
    }

    private static List<String> children(Element parent, String list, String item) {
        List<String> values = new ArrayList<>();
        Element container = first(parent, list);
        if (container != null) {
            for (Element e : elements(container, item)) {
                values.add(e.getTextContent().trim());
            }
        }
        return values;
    }

    private static Element first(Element parent, String name) {
        List<Element> all = elements(parent, name);
        return all.isEmpty() ? null : all.get(0);
    }

    /** Direct children only: a module's parent/artifactId must not be taken for its own. */
    private static List<Element> elements(Element parent, String name) {
        List<Element> result = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node n = nodes.item(i);
            if (n instanceof Element e && e.getTagName().equals(name)) {
                result.add(e);
            }
        }
        return result;
    }
}
