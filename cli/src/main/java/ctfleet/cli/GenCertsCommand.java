package ctfleet.cli;

import ctfleet.cli.certs.OpensslCa;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ctfleet gen-certs DIR --hosts a,b}: a CA, a server certificate and one client certificate per host. */
@Command(name = "gen-certs", mixinStandardHelpOptions = true,
        description = {"Create a CA and certificates to try mutual TLS in minutes (uses openssl).",
            "A server certificate, one client certificate per agent host, a reader and an admin certificate,"
                + " and the server's --client-roles file for them. For production, use your own PKI."})
public final class GenCertsCommand implements Callable<Integer> {
    static final Pattern HOST_ID = Pattern.compile("[A-Za-z0-9._-]{1,253}");
    static final Pattern SERVER_NAME = Pattern.compile("[A-Za-z0-9.:-]{1,253}");
    static final String CLI_NAME = "ctfleet-cli";
    static final String ADMIN_NAME = "ctfleet-admin";
    static final String CLIENT_ROLES = "client-roles";

    @Parameters(index = "0", paramLabel = "DIR", description = "Directory to create (must not hold certificates yet).")
    Path dir;

    @Option(names = "--hosts", paramLabel = "ID,ID", split = ",", required = true,
            description = "Agent host ids: each gets ID.pem and ID.key (CN and DNS name = ID).")
    List<String> hosts;

    @Option(names = "--server-names", paramLabel = "NAME,IP", split = ",",
            description = "Names and addresses agents use to reach the server (always: localhost, 127.0.0.1, ::1,"
                    + " this machine's hostname).")
    List<String> serverNames = new ArrayList<>();

    @Option(names = "--days", paramLabel = "N", defaultValue = "365",
            description = "Validity of the server and host certificates (default: ${DEFAULT-VALUE}).")
    int days;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        for (String h : hosts) {
            if (!HOST_ID.matcher(h).matches() || List.of("ca", "server", "cli", "admin").contains(h)) {
                throw new UsageError("--hosts: '" + h + "' must be 1 to 253 of A-Z a-z 0-9 . _ - (and not ca, server,"
                        + " cli, admin)");
            }
        }
        for (String n : serverNames) {
            if (!SERVER_NAME.matcher(n).matches()) {
                throw new UsageError("--server-names: '" + n + "' is not a host name or IP address");
            }
        }
        if (days < 1) {
            throw new UsageError("--days must be 1 or more");
        }
        if (Files.exists(dir.resolve("ca.key")) || Files.exists(dir.resolve("ca.pem"))) {
            throw new IllegalStateException(dir + " already holds a CA (ca.pem/ca.key); choose another directory");
        }
        Files.createDirectories(dir);
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
        names.add(InetAddress.getLocalHost().getHostName());
        names.addAll(serverNames);

        OpensslCa ca = OpensslCa.create(dir, "ctfleet test CA", days + 30);
        ca.issue("server", names.iterator().next(), List.copyOf(names), OpensslCa.Use.SERVER, days);
        ca.issue("cli", CLI_NAME, List.of(), OpensslCa.Use.CLIENT, days);
        ca.issue("admin", ADMIN_NAME, List.of(), OpensslCa.Use.CLIENT, days);
        for (String h : hosts) {
            ca.issue(h, h, List.of(h), OpensslCa.Use.CLIENT, days);
        }
        Files.writeString(dir.resolve(CLIENT_ROLES), "# ctfleet server --client-roles: the certificates that are not"
                + " agents.\n# Any other certificate signed by ca.pem is an agent for the host ids it names.\n"
                + "reader " + CLI_NAME + "\nadmin " + ADMIN_NAME + "\n");
        PrintWriter out = spec.commandLine().getOut();
        String d = dir.toString();
        out.println("Created in " + d + ": ca.pem (CA), server.pem/.key (for " + String.join(", ", names)
                + "), cli.pem/.key (role reader), admin.pem/.key (role admin), " + CLIENT_ROLES
                + " (the file that gives them those roles), and for each host ID.pem/.key (role agent for ID).");
        out.println("Keys are readable by you only.");
        out.println();
        out.println("  ctfleet server --listen 0.0.0.0:7777 --tls-cert " + d + "/server.pem --tls-key " + d
                + "/server.key --tls-client-ca " + d + "/ca.pem --client-roles " + d + "/" + CLIENT_ROLES);
        String h = hosts.get(0);
        out.println("  ctfleet agent --server SERVER:7777 --host-id " + h + " --tls-ca " + d + "/ca.pem --tls-cert "
                + d + "/" + h + ".pem --tls-key " + d + "/" + h + ".key");
        out.println("  ctfleet top --server SERVER:7777 --tls-ca " + d + "/ca.pem --tls-cert " + d + "/cli.pem --tls-key "
                + d + "/cli.key");
        out.println("  ctfleet admin backup --server SERVER:7777 --tls-ca " + d + "/ca.pem --tls-cert " + d
                + "/admin.pem --tls-key " + d + "/admin.key ctfleet-backup.zip");
        out.println();
        out.println("Copy ca.pem and ID.pem/ID.key to host ID only; ca.key signs certificates: keep it off the hosts.");
        out.flush();
        return 0;
    }
}
