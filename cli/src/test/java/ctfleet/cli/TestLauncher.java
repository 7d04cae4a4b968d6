package ctfleet.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A {@code ctfleet} launcher for tests: like the real one it runs each part in its own JVM and tells
 * the CLI where it is ({@code $CTFLEET_LAUNCHER}), but from the test classpath instead of the jars,
 * which {@code mvn verify} builds only after the tests.
 */
final class TestLauncher {
    private TestLauncher() {}

    static Path write(Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        if (cp.contains("'") || java.contains("'")) {
            throw new IllegalStateException("a quote in the classpath: " + cp);
        }
        String script = "#!/bin/sh\n"
                + "export " + Launcher.ENV + "=\"$0\"\n"
                + "part=\"$1\"; shift\n"
                + "case \"$part\" in\n"
                + "  server) exec '" + java + "' -Xmx512m -cp '" + cp + "' ctfleet.server.ServerMain \"$@\" ;;\n"
                + "  agent) exec '" + java + "' -Xmx64m -cp '" + cp + "' ctfleet.agent.AgentMain \"$@\" ;;\n"
                + "  simulate) exec '" + java + "' -cp '" + cp + "' ctfleet.sim.SimulateCommand \"$@\" ;;\n"
                + "  *) exec '" + java + "' -cp '" + cp + "' ctfleet.cli.Cli \"$part\" \"$@\" ;;\n"
                + "esac\n";
        Path p = dir.resolve("ctfleet");
        Files.writeString(p, script);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }
}
