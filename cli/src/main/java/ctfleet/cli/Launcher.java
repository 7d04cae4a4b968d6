package ctfleet.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code ctfleet} launcher script, which runs each part from its own jar: how the CLI starts
 * {@code ctfleet server}, {@code ctfleet simulate} and {@code ctfleet agent} as processes without
 * carrying their code. The launcher says where it is in {@code $CTFLEET_LAUNCHER}; a CLI jar run by
 * hand finds it beside the build tree it came from ({@code HOME/cli/target/ctfleet-cli-*-all.jar}).
 */
final class Launcher {
    static final String ENV = "CTFLEET_LAUNCHER";
    private final Path script;

    private Launcher(Path script) {
        this.script = script;
    }

    static Optional<Launcher> find() {
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            return Files.isExecutable(p) ? Optional.of(new Launcher(p)) : Optional.empty();
        }
        try {
            Path jar = Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path target = jar.getParent();
            if (!Files.isRegularFile(jar) || !jar.getFileName().toString().startsWith("ctfleet-cli-")
                    || target == null || target.getParent() == null || target.getParent().getParent() == null) {
                return Optional.empty();
            }
            Path p = target.getParent().getParent().resolve("ctfleet");
            return Files.isExecutable(p) ? Optional.of(new Launcher(p)) : Optional.empty();
        } catch (URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The command line that runs {@code ctfleet PART ARGS...}. */
    List<String> command(String part, String... args) {
        List<String> cmd = new ArrayList<>(List.of(script.toString(), part));
        cmd.addAll(List.of(args));
        return cmd;
    }
}
