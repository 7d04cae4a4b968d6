package ctfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ctfleet.agent.AgentMain;
import ctfleet.common.ConfigFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The shipped config examples and systemd units stay valid. */
class PackagingTest {
    static final Path PACKAGING = Path.of("../packaging");

    @TempDir
    Path tmp;

    @Test
    void agentConfigExampleIsAcceptedAndFlagsOverrideIt() throws Exception {
        Path conf = tmp.resolve("agent.conf");
        Files.writeString(conf, Files.readString(PACKAGING.resolve("agent.conf"))
                + "\nproc-root = " + Path.of("src/test/resources/proc/gw-half").toAbsolutePath() + "\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] args = {"--config", conf.toString(), "--print", "--host-id", "from-flag"};
        CommandLine cl = AgentMain.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        ConfigFile.apply(cl, args);
        assertEquals(0, cl.execute(args), err.toString());
        assertTrue(out.toString().contains("count: 32768"), "proc-root came from the config file: " + out);
    }

    @Test
    void unknownKeyInAConfigFileIsAnErrorNamingIt() throws Exception {
        Path conf = tmp.resolve("agent.conf");
        Files.writeString(conf, "server = 127.0.0.1:7777\nintreval = 10s\n");
        CommandLine cl = AgentMain.commandLine();
        var e = org.junit.jupiter.api.Assertions.assertThrows(CommandLine.ParameterException.class,
                () -> ConfigFile.apply(cl, new String[] {"--config", conf.toString()}));
        assertTrue(e.getMessage().contains("intreval"), e.getMessage());
    }

    @Test
    void serverConfigExampleNamesOnlyKnownSettings() {
        CommandLine cl = new CommandLine(new ctfleet.server.ServerMain());
        ConfigFile.apply(cl, new String[] {"--config", PACKAGING.resolve("server.conf").toString()});
        assertEquals("127.0.0.1:7777", defaultOf(cl, "--listen"));
        assertEquals("/var/lib/ctfleet", defaultOf(cl, "--db"));
    }

    private static String defaultOf(CommandLine cl, String option) {
        try {
            return cl.getDefaultValueProvider().defaultValue(cl.getCommandSpec().findOption(option));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void systemdUnitsVerifyAndAreHardened() throws Exception {
        boolean ci = "true".equals(System.getenv("CI"));
        boolean have = Files.isExecutable(Path.of("/usr/bin/systemd-analyze"));
        assertTrue(have || !ci, "systemd-analyze is needed in CI to verify the units");
        assumeTrue(have, "systemd-analyze not installed");
        Path launcher = Path.of("../ctfleet").toAbsolutePath().normalize();
        for (String unit : new String[] {"ctfleet-agent.service", "ctfleet-server.service"}) {
            String text = Files.readString(PACKAGING.resolve("systemd").resolve(unit));
            for (String must : new String[] {"NoNewPrivileges=yes", "ProtectSystem=strict", "Restart=on-failure",
                    "StateDirectoryMode=0700"}) {
                assertTrue(text.contains(must), unit + " lacks " + must);
            }
            Path copy = tmp.resolve(unit);
            Files.writeString(copy, text.replace("/opt/ctfleet/ctfleet", launcher.toString()));
            Process p = new ProcessBuilder("systemd-analyze", "verify", copy.toString()).redirectErrorStream(true).start();
            String said = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor(), said);
            assertTrue(said.isBlank(), unit + ": " + said);
        }
    }
}
