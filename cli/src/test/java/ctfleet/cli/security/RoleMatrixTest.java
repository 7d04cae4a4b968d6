package ctfleet.cli.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.cli.certs.OpensslCa.Issued;
import ctfleet.client.ClientSecurityOptions;
import ctfleet.common.HostPort;
import ctfleet.common.auth.NamePattern;
import ctfleet.common.auth.Role;
import ctfleet.common.auth.TokenTable;
import ctfleet.proto.v1.AdminGrpc;
import ctfleet.proto.v1.AgentMessage;
import ctfleet.proto.v1.BackupRequest;
import ctfleet.proto.v1.CapacityRequest;
import ctfleet.proto.v1.CollectorGrpc;
import ctfleet.proto.v1.ConntrackStatus;
import ctfleet.proto.v1.Hello;
import ctfleet.proto.v1.HistoryRequest;
import ctfleet.proto.v1.HostRequest;
import ctfleet.proto.v1.ImportGrpc;
import ctfleet.proto.v1.ImportRequest;
import ctfleet.proto.v1.QueryGrpc;
import ctfleet.proto.v1.Sample;
import ctfleet.proto.v1.ServerMessage;
import ctfleet.proto.v1.StreamBackupRequest;
import ctfleet.proto.v1.SummaryRequest;
import ctfleet.proto.v1.TopRequest;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every cell of README's role table, over a real TLS server on a loopback port: each kind of
 * credential (agent, reader, admin, unlisted and wrong-CA certificates; agent, reader and admin
 * tokens, and none) calls every RPC the server serves, and is allowed or denied exactly as the table
 * says. The table is read from README.md itself, so the manual and the server cannot drift apart,
 * and an RPC the table does not list fails the test.
 */
class RoleMatrixTest {
    static final Path README = Path.of("../README.md");
    /** The table's header line: the test finds the table by it. */
    static final String HEADER = "| RPC | `agent` | `reader` | `admin` |";
    static final String OWN_HOSTS = "its own host ids";

    @TempDir
    static Path shared;

    static TestPki pki;
    static Path roles;
    static Path tokens;
    static Path agentToken;
    static Path readerToken;
    static Path adminToken;
    static Path unknownToken;
    static final AtomicLong TS = new AtomicLong(System.currentTimeMillis() - 600_000);

    @TempDir
    Path tmp;

    @BeforeAll
    static void credentials() throws Exception {
        pki = TestPki.create(shared.resolve("pki"));
        roles = Files.writeString(shared.resolve("client-roles"), """
                # who is not an agent
                reader oncall-*
                admin  ops-admin
                """);
        agentToken = Files.writeString(shared.resolve("agent.token"), "agent-token-for-gw-a\n");
        readerToken = Files.writeString(shared.resolve("reader.token"), "reader-token\n");
        adminToken = Files.writeString(shared.resolve("admin.token"), "admin-token\n");
        unknownToken = Files.writeString(shared.resolve("unknown.token"), "nobody-issued-this\n");
        tokens = Files.writeString(shared.resolve("tokens"),
                TokenTable.line("agent-token-for-gw-a", Role.AGENT, "gw-a-agent", List.of(NamePattern.parse("gw-a")))
                        + "\n" + TokenTable.line("reader-token", Role.READER, "oncall") + "\n"
                        + TokenTable.line("admin-token", Role.ADMIN, "ops") + "\n");
    }

    // ---- the table in README.md ----

    /** One row of the table: the full method names it lists and what each role may do. */
    record Row(List<String> methods, Map<Role, String> cells) {}

    static List<Row> readmeTable() throws Exception {
        List<String> lines = Files.readAllLines(README);
        int at = lines.indexOf(HEADER);
        assertTrue(at >= 0, "README.md has the role table, headed " + HEADER);
        List<Row> rows = new ArrayList<>();
        Pattern method = Pattern.compile("`([A-Za-z0-9_.]+/[A-Za-z0-9_]+)`");
        for (int i = at + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            String[] cells = lines.get(i).split("\\|");
            List<String> methods = new ArrayList<>();
            Matcher m = method.matcher(cells[1]);
            while (m.find()) {
                String name = m.group(1);
                methods.add(name.substring(0, name.indexOf('/')).contains(".") ? name : "ctfleet.v1." + name);
            }
            assertFalse(methods.isEmpty(), "a row names its RPCs: " + lines.get(i));
            Map<Role, String> byRole = new LinkedHashMap<>();
            byRole.put(Role.AGENT, cells[2].trim());
            byRole.put(Role.READER, cells[3].trim());
            byRole.put(Role.ADMIN, cells[4].trim());
            for (String c : byRole.values()) {
                assertTrue(List.of("yes", "no", OWN_HOSTS).contains(c), "a cell is yes, no or '" + OWN_HOSTS + "': "
                        + lines.get(i));
            }
            rows.add(new Row(methods, byRole));
        }
        return rows;
    }

    // ---- callers ----

    /**
     * A credential: the client flags that present it, the role the server should give it (empty when
     * it should not get in at all, with the status it gets instead), and the hosts it may write.
     */
    record Caller(String name, List<String> flags, Optional<Role> role, Status.Code refusal, Set<String> ownHosts) {}

    static List<String> cert(Issued id) {
        return List.of("--tls-ca", pki.ca().toString(), "--tls-cert", id.cert().toString(), "--tls-key",
                id.key().toString());
    }

    static List<String> token(Path file) {
        return List.of("--tls-ca", pki.ca().toString(), "--token-file", file.toString());
    }

    static List<Caller> certificateCallers() {
        return List.of(
                new Caller("agent certificate gw-a", cert(pki.gwA()), Optional.of(Role.AGENT), Status.Code.OK,
                        Set.of("gw-a")),
                new Caller("unlisted certificate laptop-bob", cert(pki.unlisted()), Optional.of(Role.AGENT),
                        Status.Code.OK, Set.of("laptop-bob")),
                new Caller("reader certificate oncall-alice (oncall-*)", cert(pki.oncall()), Optional.of(Role.READER),
                        Status.Code.OK, Set.of()),
                new Caller("admin certificate ops-admin", cert(pki.opsAdmin()), Optional.of(Role.ADMIN), Status.Code.OK,
                        Set.of()),
                new Caller("wrong-CA certificate gw-a", List.of("--tls-ca", pki.ca().toString(), "--tls-cert",
                        pki.rogueGwA().cert().toString(), "--tls-key", pki.rogueGwA().key().toString()),
                        Optional.empty(), Status.Code.UNAVAILABLE, Set.of()));
    }

    static List<Caller> tokenCallers() {
        return List.of(
                new Caller("agent token bound to gw-a", token(agentToken), Optional.of(Role.AGENT), Status.Code.OK,
                        Set.of("gw-a")),
                new Caller("reader token", token(readerToken), Optional.of(Role.READER), Status.Code.OK, Set.of()),
                new Caller("admin token", token(adminToken), Optional.of(Role.ADMIN), Status.Code.OK, Set.of()),
                new Caller("unknown token", token(unknownToken), Optional.empty(), Status.Code.UNAUTHENTICATED,
                        Set.of()),
                new Caller("no token", List.of("--tls-ca", pki.ca().toString()), Optional.empty(),
                        Status.Code.UNAUTHENTICATED, Set.of()));
    }

    static ManagedChannel channel(SecureServer s, List<String> flags) {
        ClientSecurityOptions opts = new ClientSecurityOptions();
        new CommandLine(opts).parseArgs(flags.toArray(String[]::new));
        return opts.open(new HostPort("localhost", s.server.port()), m -> {});
    }

    // ---- one call of each RPC, its final status ----

    static final Map<String, Function<Channel, Status>> CALLS = new LinkedHashMap<>();

    static {
        CALLS.put("ctfleet.v1.Query/Top", ch -> unary(() -> QueryGrpc.newBlockingStub(ch).withDeadlineAfter(10,
                TimeUnit.SECONDS).top(TopRequest.getDefaultInstance())));
        CALLS.put("ctfleet.v1.Query/Host", ch -> unary(() -> QueryGrpc.newBlockingStub(ch).withDeadlineAfter(10,
                TimeUnit.SECONDS).host(HostRequest.newBuilder().setHost("gw-a").build())));
        CALLS.put("ctfleet.v1.Query/History", ch -> unary(() -> QueryGrpc.newBlockingStub(ch).withDeadlineAfter(10,
                TimeUnit.SECONDS).history(HistoryRequest.newBuilder().setHost("gw-a").build())));
        CALLS.put("ctfleet.v1.Query/Capacity", ch -> unary(() -> QueryGrpc.newBlockingStub(ch).withDeadlineAfter(10,
                TimeUnit.SECONDS).capacity(CapacityRequest.getDefaultInstance())));
        CALLS.put("ctfleet.v1.Query/Summary", ch -> unary(() -> QueryGrpc.newBlockingStub(ch).withDeadlineAfter(10,
                TimeUnit.SECONDS).summary(SummaryRequest.getDefaultInstance())));
        CALLS.put("ctfleet.v1.Import/ImportSamples", ch -> unary(() -> ImportGrpc.newBlockingStub(ch)
                .withDeadlineAfter(10, TimeUnit.SECONDS).importSamples(ImportRequest.newBuilder()
                        .setHostId("gw-imported").addSamples(sample(0)).build())));
        CALLS.put("ctfleet.v1.Admin/Backup", ch -> unary(() -> AdminGrpc.newBlockingStub(ch)
                .withDeadlineAfter(30, TimeUnit.SECONDS).backup(BackupRequest.getDefaultInstance())));
        CALLS.put("ctfleet.v1.Admin/StreamBackup", ch -> unary(() -> {
            long bytes = 0;
            boolean done = false;
            for (var it = AdminGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .streamBackup(StreamBackupRequest.getDefaultInstance()); it.hasNext(); ) {
                var c = it.next();
                bytes += c.getData().size();
                done |= c.hasDone() && c.getDone().getBytes() == bytes;
            }
            assertTrue(done, "a whole archive arrived");
            return bytes;
        }));
        CALLS.put("grpc.health.v1.Health/Check", ch -> unary(() -> HealthGrpc.newBlockingStub(ch)
                .withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance())));
        CALLS.put("grpc.health.v1.Health/Watch", ch -> unary(() -> {
            Context.CancellableContext ctx = Context.current().withCancellation();
            Context prev = ctx.attach();
            try {
                // A watch never ends by itself: its first answer is the verdict.
                return HealthGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .watch(HealthCheckRequest.getDefaultInstance()).next();
            } finally {
                ctx.detach(prev);
                ctx.cancel(null);
            }
        }));
        CALLS.put("grpc.reflection.v1.ServerReflection/ServerReflectionInfo", ch -> {
            try {
                return listServices(ch).isEmpty() ? Status.INTERNAL : Status.OK;
            } catch (Exception e) {
                return Status.fromThrowable(e);
            }
        });
    }

    interface Call {
        Object run() throws Exception;
    }

    static Status unary(Call c) {
        try {
            c.run();
            return Status.OK;
        } catch (Exception e) {
            return Status.fromThrowable(e);
        }
    }

    static Sample sample(long seq) {
        return Sample.newBuilder().setSeq(seq).setTsMillis(TS.addAndGet(1000))
                .setStatus(ConntrackStatus.CONNTRACK_STATUS_LOADED).setCount(1000).setMax(65536).setBuckets(16384)
                .setBootId("boot-1").build();
    }

    /** A live stream: hello for {@code host}, one sample; OK once it is acknowledged. */
    static Status stream(Channel ch, String host) {
        CompletableFuture<Status> end = new CompletableFuture<>();
        AtomicBoolean acked = new AtomicBoolean();
        StreamObserver<AgentMessage> in = CollectorGrpc.newStub(ch).withDeadlineAfter(15, TimeUnit.SECONDS)
                .stream(new StreamObserver<ServerMessage>() {
                    @Override
                    public void onNext(ServerMessage m) {
                        acked.set(m.hasAck() && !m.getAck().getRejected());
                    }

                    @Override
                    public void onError(Throwable t) {
                        end.complete(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                        end.complete(acked.get() ? Status.OK : Status.INTERNAL.withDescription("no acknowledgement"));
                    }
                });
        in.onNext(AgentMessage.newBuilder().setHello(Hello.newBuilder().setHostId(host)).build());
        in.onNext(AgentMessage.newBuilder().setSample(sample(1)).build());
        in.onCompleted();
        try {
            return end.get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            return Status.fromThrowable(e);
        }
    }

    static List<String> listServices(Channel ch) throws Exception {
        CompletableFuture<List<String>> names = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> req = ServerReflectionGrpc.newStub(ch)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .serverReflectionInfo(new StreamObserver<ServerReflectionResponse>() {
                    @Override
                    public void onNext(ServerReflectionResponse r) {
                        names.complete(r.getListServicesResponse().getServiceList().stream().map(s -> s.getName())
                                .toList());
                    }

                    @Override
                    public void onError(Throwable t) {
                        names.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {}
                });
        req.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        try {
            return names.get(15, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw (Exception) e.getCause();
        } finally {
            req.onCompleted();
        }
    }

    // ---- the matrix ----

    /** Runs every RPC of the table as every caller; returns one line per cell that differs from the table. */
    static List<String> run(SecureServer s, List<Caller> callers, List<Row> table, StringBuilder report) {
        List<String> wrong = new ArrayList<>();
        for (Caller c : callers) {
            ManagedChannel ch = channel(s, c.flags());
            try {
                for (Row row : table) {
                    for (String method : row.methods()) {
                        if (method.equals("ctfleet.v1.Collector/Stream")) {
                            for (String host : List.of("gw-a", "gw-b")) {
                                check(c, method + " for " + host, row, stream(ch, host),
                                        c.ownHosts().contains(host), wrong, report);
                            }
                        } else {
                            Function<Channel, Status> call = CALLS.get(method);
                            if (call == null) {
                                wrong.add("the test has no call for " + method + ", which README's table lists");
                                continue;
                            }
                            check(c, method, row, call.apply(ch), true, wrong, report);
                        }
                    }
                }
            } finally {
                ch.shutdownNow();
            }
        }
        return wrong;
    }

    static void check(Caller c, String what, Row row, Status got, boolean ownHost, List<String> wrong,
            StringBuilder report) {
        String cell = c.role().map(r -> row.cells().get(r)).orElse("no");
        boolean allowed = c.role().isPresent() && (cell.equals("yes") || cell.equals(OWN_HOSTS) && ownHost);
        report.append(String.format("%-44s %-58s %-8s %s%n", c.name(), what, allowed ? "allowed" : "denied",
                got.getCode() + (got.getDescription() == null ? "" : ": " + got.getDescription())));
        String problem = null;
        if (allowed && !got.isOk()) {
            problem = "should be allowed";
        } else if (!allowed && c.role().isEmpty() && got.getCode() != c.refusal()) {
            problem = "should be refused with " + c.refusal();
        } else if (!allowed && c.role().isPresent()) {
            String d = String.valueOf(got.getDescription());
            boolean roleDenial = got.getCode() == Status.Code.PERMISSION_DENIED
                    && d.contains(" has role " + c.role().get().label() + ", which may not call ") && d.contains("(needs role ");
            boolean hostDenial = cell.equals(OWN_HOSTS) && got.getCode() == Status.Code.PERMISSION_DENIED
                    && d.startsWith("hello.host_id '");
            if (!roleDenial && !hostDenial) {
                problem = "should be PERMISSION_DENIED naming the role held and the role needed";
            }
        }
        if (problem != null) {
            wrong.add(c.name() + " / " + what + ": " + problem + ", got " + got);
        }
    }

    @Test
    void everyCellOfTheReadmeRoleTableHoldsOverRealTls() throws Exception {
        List<Row> table = readmeTable();
        StringBuilder report = new StringBuilder();
        List<String> wrong = new ArrayList<>();
        try (SecureServer s = new SecureServer(tmp.resolve("mtls-db"), "--tls-cert", pki.server().cert().toString(),
                "--tls-key", pki.server().key().toString(), "--tls-client-ca", pki.ca().toString(),
                "--client-roles", roles.toString())) {
            ManagedChannel admin = channel(s, cert(pki.opsAdmin()));
            ManagedChannel gwA = channel(s, cert(pki.gwA()));
            try {
                assertEquals(Status.OK, stream(gwA, "gw-a"), "gw-a exists before the queries about it");
                servedMethodsAreExactlyTheTables(listServices(admin), table);
            } finally {
                admin.shutdownNow();
                gwA.shutdownNow();
            }
            wrong.addAll(run(s, certificateCallers(), table, report));
        }
        try (SecureServer s = new SecureServer(tmp.resolve("token-db"), "--tls-cert", pki.server().cert().toString(),
                "--tls-key", pki.server().key().toString(), "--tokens", tokens.toString())) {
            ManagedChannel agent = channel(s, token(agentToken));
            try {
                assertEquals(Status.OK, stream(agent, "gw-a"));
            } finally {
                agent.shutdownNow();
            }
            wrong.addAll(run(s, tokenCallers(), table, report));
        }
        System.out.println("role matrix (caller, RPC, README says, server answered):\n" + report);
        assertEquals(List.of(), wrong, "cells that differ from README's role table:\n" + String.join("\n", wrong));
        int methods = table.stream().mapToInt(r -> r.methods().size()).sum();
        int callers = certificateCallers().size() + tokenCallers().size();
        // Collector/Stream is tried twice per caller: for its own host and for another.
        assertEquals(callers * (methods + 1), report.toString().split("\n").length, "every caller met every RPC");
    }

    /** Every method of every service the server answers has a row, and every row names a served method. */
    static void servedMethodsAreExactlyTheTables(List<String> services, List<Row> table) {
        Map<String, ServiceDescriptor> known = Map.of(
                CollectorGrpc.SERVICE_NAME, CollectorGrpc.getServiceDescriptor(),
                QueryGrpc.SERVICE_NAME, QueryGrpc.getServiceDescriptor(),
                ImportGrpc.SERVICE_NAME, ImportGrpc.getServiceDescriptor(),
                AdminGrpc.SERVICE_NAME, AdminGrpc.getServiceDescriptor(),
                HealthGrpc.SERVICE_NAME, HealthGrpc.getServiceDescriptor(),
                ServerReflectionGrpc.SERVICE_NAME, ServerReflectionGrpc.getServiceDescriptor());
        Set<String> served = new TreeSet<>();
        for (String name : services) {
            assertTrue(known.containsKey(name), "the server serves " + name
                    + ": give it a row in README's role table (and this test a call for it)");
            known.get(name).getMethods().forEach(m -> served.add(m.getFullMethodName()));
        }
        Set<String> listed = new TreeSet<>();
        table.forEach(r -> listed.addAll(r.methods()));
        assertEquals(served, listed, "README's role table lists exactly the RPCs the server serves");
    }

    @Test
    void aRoleFileChangeAppliesToClientsAlreadyConnected() throws Exception {
        Path file = Files.writeString(tmp.resolve("client-roles"), "reader oncall-*\n");
        try (SecureServer s = new SecureServer(tmp.resolve("db"), "--tls-cert", pki.server().cert().toString(),
                "--tls-key", pki.server().key().toString(), "--tls-client-ca", pki.ca().toString(),
                "--client-roles", file.toString(), "--tls-refresh", "100ms")) {
            ManagedChannel bob = channel(s, cert(pki.unlisted()));
            try {
                Function<Channel, Status> top = CALLS.get("ctfleet.v1.Query/Top");
                Function<Channel, Status> backup = CALLS.get("ctfleet.v1.Admin/Backup");
                Status before = top.apply(bob);
                assertEquals(Status.Code.PERMISSION_DENIED, before.getCode());
                assertTrue(before.getDescription().startsWith("certificate 'laptop-bob' has role agent"),
                        before.getDescription());

                Files.writeString(file, "reader oncall-*\nreader laptop-bob\n");
                assertEquals(Status.Code.OK, await(() -> top.apply(bob), Status.Code.OK).getCode(),
                        "the open connection is a reader now");
                assertEquals(Status.Code.PERMISSION_DENIED, backup.apply(bob).getCode(), "a reader, not an admin");

                Files.writeString(file, "admin laptop-bob\nwriter somebody\n");
                assertEquals(Status.Code.OK, await(() -> backup.apply(bob), Status.Code.OK).getCode(),
                        "the good line of a file with a bad one takes effect");
                assertTrue(s.log.stream().anyMatch(l -> l.contains(file + " line 2: role must be reader or admin,"
                        + " got 'writer'") && l.endsWith(": line ignored")), s.log.toString());

                Files.writeString(file, "# nobody\n");
                Status after = await(() -> top.apply(bob), Status.Code.PERMISSION_DENIED);
                assertEquals(Status.Code.PERMISSION_DENIED, after.getCode(), "a role taken away is gone at once");
                assertTrue(s.log.stream().filter(l -> l.startsWith("reloaded")).count() >= 3, s.log.toString());
            } finally {
                bob.shutdownNow();
            }
        }
    }

    static Status await(java.util.function.Supplier<Status> call, Status.Code want) throws InterruptedException {
        Status last = call.get();
        for (int i = 0; i < 100 && last.getCode() != want; i++) {
            Thread.sleep(100);
            last = call.get();
        }
        return last;
    }

    @Test
    void aBadRoleFileStopsTheServerAtStartNamingTheLine() throws Exception {
        Path file = Files.writeString(tmp.resolve("client-roles"), "reader ctfleet-cli\nroot ops-admin\n");
        var e = assertThrows(IllegalArgumentException.class, () -> new SecureServer(tmp.resolve("db"), "--tls-cert",
                pki.server().cert().toString(), "--tls-key", pki.server().key().toString(), "--tls-client-ca",
                pki.ca().toString(), "--client-roles", file.toString()));
        assertTrue(e.getMessage().startsWith("--client-roles " + file + ": line 2: role must be reader or admin, got"
                + " 'root'"), e.getMessage());
    }
}
