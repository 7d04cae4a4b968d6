package ctfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The walls of README.md's Architecture section, read from the code itself: every import (and fully qualified
 * name) in each module's main sources, and each module's pom. A class that reaches over a wall fails
 * here with its file and the line, not weeks later as a fat jar.
 */
class WallsTest {
    /** The repository root: the cli module's parent. */
    static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

    /** Which of our own packages each module's main code may name (its own is always allowed). */
    static final Map<String, List<String>> MAY_USE = Map.of(
            "proto/common", List.of("ctfleet.common"),
            "proto/client", List.of("ctfleet.client", "ctfleet.common", "ctfleet.proto"),
            "agent", List.of("ctfleet.agent", "ctfleet.client", "ctfleet.common", "ctfleet.proto"),
            "agent/sim", List.of("ctfleet.sim", "ctfleet.agent", "ctfleet.client", "ctfleet.common", "ctfleet.proto"),
            "server", List.of("ctfleet.server", "ctfleet.common", "ctfleet.proto"),
            "cli", List.of("ctfleet.cli", "ctfleet.client", "ctfleet.common", "ctfleet.proto"));

    /** Libraries a module must not touch: the gateway's agent and the CLI carry no database. */
    static final Map<String, List<String>> MUST_NOT_USE = Map.of(
            "proto/common", List.of("io.grpc.netty", "io.grpc.okhttp", "org.h2", "org.flywaydb"),
            "proto/client", List.of("io.grpc.netty", "org.h2", "org.flywaydb"),
            "agent", List.of("io.grpc.netty", "org.h2", "org.flywaydb", "java.sql", "io.prometheus"),
            "cli", List.of("io.grpc.netty", "org.h2", "org.flywaydb", "java.sql"));

    static final Pattern OURS = Pattern.compile("\\bctfleet\\.(proto|common|client|agent|sim|server|cli)\\b");

    @Test
    void eachModuleNamesOnlyThePartsBelowItsWall() {
        List<String> crossings = new ArrayList<>();
        MAY_USE.forEach((module, allowed) -> lines(module, "").forEach(l -> {
            Matcher m = OURS.matcher(l.text());
            while (m.find()) {
                if (!allowed.contains("ctfleet." + m.group(1))) {
                    crossings.add(l + "  (" + module + " may name " + allowed + ")");
                }
            }
        }));
        MUST_NOT_USE.forEach((module, banned) -> lines(module, "").forEach(l -> {
            for (String b : banned) {
                if (l.text().matches("\\s*import (static )?" + Pattern.quote(b) + "\\..*")) {
                    crossings.add(l + "  (" + module + " must not use " + b + ")");
                }
            }
        }));
        assertEquals(List.of(), crossings);
    }

    @Test
    void insideTheServerTheFleetLogicIsPureAndTheQueriesAreTransportFree() {
        List<String> crossings = new ArrayList<>();
        // server.fleet: arithmetic on domain records; no I/O, no database, no wire, no other server package.
        lines("server", "ctfleet/server/fleet").forEach(l -> {
            if (l.text().matches("\\s*import (static )?(?!java\\.time|java\\.util|ctfleet\\.server\\.fleet\\.).*")) {
                crossings.add(l + "  (fleet is pure: java.time, java.util and itself)");
            }
        });
        // The store speaks domain types: no protobuf, no gRPC.
        lines("server", "ctfleet/server/store").forEach(l -> {
            if (l.text().matches("\\s*import (static )?(io\\.grpc|ctfleet\\.proto)\\..*")) {
                crossings.add(l + "  (the store knows no wire)");
            }
        });
        // The query layer answers in domain types; only the gRPC service and its translator see the wire.
        lines("server", "ctfleet/server/query").forEach(l -> {
            boolean transport = l.file().endsWith("QueryService.java") || l.file().endsWith("Wire.java");
            if (!transport && l.text().matches("\\s*import (static )?(io\\.grpc|ctfleet\\.proto)\\..*")) {
                crossings.add(l + "  (queries are transport-free)");
            }
        });
        // JDBC stays in the store: ingest, the queries and the metrics see StoreException.
        for (String pkg : List.of("ingest", "query", "metrics")) {
            lines("server", "ctfleet/server/" + pkg).forEach(l -> {
                if (l.text().contains("java.sql")) {
                    crossings.add(l + "  (JDBC stays in server.store)");
                }
            });
        }
        assertEquals(List.of(), crossings);
    }

    @Test
    void theCliAndTheAgentDependOnNoServerAtRunTime() throws IOException {
        for (String module : List.of("cli", "agent", "proto/client", "proto/common")) {
            String pom = Files.readString(ROOT.resolve(module).resolve("pom.xml"));
            Matcher m = Pattern.compile("<dependency>(.*?)</dependency>", Pattern.DOTALL).matcher(pom);
            while (m.find()) {
                String dep = m.group(1);
                boolean test = dep.contains("<scope>test</scope>");
                for (String part : List.of("ctfleet-server", "ctfleet-agent", "ctfleet-sim", "h2", "flyway-core")) {
                    if (dep.contains("<artifactId>" + part + "</artifactId>") && !test) {
                        throw new AssertionError(module + "/pom.xml depends on " + part + " outside tests");
                    }
                }
            }
        }
        assertTrue(Files.isDirectory(ROOT.resolve("proto/src/main/protobuf")), "the wire contract is in proto/");
        assertTrue(Files.notExists(ROOT.resolve("proto/src/main/java")), "proto/ holds the contract only, no code");
    }

    record Line(String file, int number, String text) {
        @Override
        public String toString() {
            return file + ":" + number + ": " + text.strip();
        }
    }

    /** Every line but the package line of a module's main sources under {@code sub}. */
    static List<Line> lines(String module, String sub) {
        Path src = ROOT.resolve(module).resolve("src/main/java").resolve(sub);
        assertTrue(Files.isDirectory(src), src + " is not there: the module list here is out of date");
        List<Line> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(src)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                List<String> text = Files.readAllLines(f);
                for (int i = 0; i < text.size(); i++) {
                    String t = text.get(i);
                    if (!t.startsWith("package ")) {
                        out.add(new Line(ROOT.relativize(f).toString(), i + 1, t));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
