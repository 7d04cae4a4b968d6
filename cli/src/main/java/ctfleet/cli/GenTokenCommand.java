package ctfleet.cli;

import ctfleet.common.auth.NamePattern;
import ctfleet.common.auth.Role;
import ctfleet.common.auth.TokenTable;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ctfleet gen-token FILE --role agent}: a random token in FILE, and the line for the server's --tokens file. */
@Command(name = "gen-token", mixinStandardHelpOptions = true,
        description = {"Write a new random bearer token to FILE, readable by you only.",
            "Prints the line to add to the server's --tokens file (it holds the token's SHA-256, not the token)."})
public final class GenTokenCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "Where to write the token (must not exist).")
    Path file;

    @Option(names = "--role", required = true, paramLabel = "ROLE",
            description = "agent (may only write samples), reader (may only query) or admin (may query, back up and import).")
    String role;

    @Option(names = "--hosts", paramLabel = "PATTERN", split = ",",
            description = "With --role agent: the host ids the token may write (* within one label, e.g. fra1-gw-*).")
    List<String> hosts = new ArrayList<>();

    @Option(names = "--name", paramLabel = "NAME", defaultValue = "token",
            description = "A name for messages and logs (default: ${DEFAULT-VALUE}).")
    String name;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Role r = Role.parse(role).orElseThrow(() -> new UsageError("--role must be agent, reader or admin"));
        if (!hosts.isEmpty() && r != Role.AGENT) {
            throw new UsageError("--hosts binds agent tokens only");
        }
        List<NamePattern> patterns = new ArrayList<>();
        for (String h : hosts) {
            try {
                patterns.add(NamePattern.parse(h));
            } catch (IllegalArgumentException e) {
                throw new UsageError("--hosts: " + e.getMessage());
            }
        }
        if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new UsageError("--name: use 1 to 64 of A-Z a-z 0-9 . _ -");
        }
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        String token = HexFormat.of().formatHex(bytes);
        if (Files.exists(file)) {
            throw new IllegalStateException(file + " already exists; not overwriting a token");
        }
        try {
            // Created owner-only, never readable by others even for a moment.
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.writeString(file, token + "\n", StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        PrintWriter out = spec.commandLine().getOut();
        out.println(TokenTable.line(token, r, name, patterns));
        out.flush();
        return 0;
    }
}
