package ctfleet.cli;

import static org.junit.jupiter.api.Assertions.fail;

import ctfleet.proto.v1.ConntrackStatus;
import ctfleet.server.store.Database;
import ctfleet.server.store.HostHello;
import ctfleet.server.store.HostStore;
import ctfleet.server.store.Retention;
import ctfleet.server.store.RollupBacklog;
import ctfleet.server.store.RollupJob;
import ctfleet.server.store.SampleRow;
import ctfleet.server.store.SampleWriter;
import ctfleet.server.store.SampleWrite;
import ctfleet.server.store.WriteOutcome;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * What the fault suite needs besides the product: root for mounts, faketime for clocks, a health
 * probe, /metrics, agents in their own processes, and a database with some history.
 */
final class FaultSupport {
    static final Path PROC = Path.of("src/test/resources/proc/gw-half");

    private FaultSupport() {
    }

    /** Skips the calling test when the prerequisite is missing, except in CI, where that is a failure. */
    static void require(boolean present, String what) {
        if (!present && "true".equals(System.getenv("CI"))) {
            fail(what + ": CI must run the fault suite (.ci/run installs what it needs)");
        }
        Assumptions.assumeTrue(present, what);
    }

    static boolean onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }

    static boolean root() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return line.split("\\s+")[1].equals("0");
            }
        }
        return false;
    }

    /** Runs a command to completion; its exit status (output discarded). */
    static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    /** The gRPC health status of the whole server ("SERVING", "NOT_SERVING"). */
    static String health(int port) throws InterruptedException {
        ManagedChannel ch = Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create()).build();
        try {
            return HealthGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()).getStatus().name();
        } finally {
            ch.shutdownNow();
            ch.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    static String metrics(int port) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Polls until {@code done} holds; fails with {@code what} after {@code wait}. */
    static void waitFor(Duration wait, String what, Callable<Boolean> done) throws Exception {
        long end = System.nanoTime() + wait.toNanos();
        while (!done.call()) {
            if (System.nanoTime() > end) {
                fail("timed out after " + wait.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(200);
        }
    }

    static long count(String text, String needle) {
        long n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    /** A real agent in its own process (optionally under a command such as faketime), its stderr in a file. */
    static final class AgentProcess implements AutoCloseable {
        final Process process;
        final Path log;

        AgentProcess(List<String> prefix, Map<String, String> env, Path log, String... args) throws IOException {
            List<String> cmd = new ArrayList<>(prefix);
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(List.of("-Xmx128m", "-XX:+UseSerialGC", "-cp", agentClassPath(), "ctfleet.agent.AgentMain"));
            cmd.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(env);
            this.process = pb.start();
            this.log = log;
        }

        String log() throws IOException {
            return Files.readString(log);
        }

        /**
         * The test's class path without the server's Netty transport, so the agent talks OkHttp as
         * its own jar does (with both, gRPC picks Netty; under faketime its event loop stalled).
         */
        static String agentClassPath() {
            List<String> kept = new ArrayList<>();
            for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                if (!entry.contains("grpc-netty")) {
                    kept.add(entry);
                }
            }
            return String.join(java.io.File.pathSeparator, kept);
        }

        int waitFor() throws Exception {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                fail("agent did not exit: " + log());
            }
            return process.exitValue();
        }

        /** Stops the agent, and the JVM under faketime too: faketime forks its command and waits for it. */
        @Override
        public void close() throws Exception {
            List<ProcessHandle> children = process.descendants().toList();
            children.forEach(ProcessHandle::destroy);
            process.destroy();
            for (ProcessHandle c : children) {
                c.onExit().get(10, TimeUnit.SECONDS);
            }
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** faketime shifting the wall clock only: the JVM's timed waits run on the monotonic clock. */
    static List<String> faketime(String offset) {
        return List.of("faketime", "-f", offset);
    }

    static Map<String, String> faketimeEnv() {
        return Map.of("FAKETIME_DONT_FAKE_MONOTONIC", "1");
    }

    /**
     * A closed database of {@code hosts} hosts gw-0.. with {@code samples} raw samples each, 10 s
     * apart and ending a minute ago, rolled up: what a server holds after a while.
     */
    static void fill(Path dir, int hosts, int samples) throws Exception {
        long end = System.currentTimeMillis() - 60_000;
        try (Database db = Database.open(dir)) {
            HostStore hostStore = new HostStore(db);
            RollupBacklog backlog = new RollupBacklog();
            SampleWriter store = new SampleWriter(db, backlog);
            for (int h = 0; h < hosts; h++) {
                long ref = hostStore.hello(new HostHello("gw-" + h, Map.of("dc", "fra1"), "6.1", "test", 0), end);
                List<SampleWrite> batch = new ArrayList<>();
                for (int i = 0; i < samples; i++) {
                    long ts = end - (samples - 1 - i) * 10_000L;
                    batch.add(new SampleWrite(ref, new SampleRow(ts, true, 1000 + h * 10 + i, 65536, 16384, 256,
                            0, "boot", Map.of("drop", 0L, "early_drop", 0L, "insert_failed", 0L, "invalid", 0L),
                            new TreeMap<>(), 320, true, Optional.empty()), ts));
                }
                store.write(batch);
            }
            new RollupJob(db, backlog, Retention.DEFAULT).run(end + 120_000);
        }
    }

    /** A sample like an agent's, for spools written by a test. */
    static ctfleet.proto.v1.Sample sample(long ts, long count) {
        return ctfleet.proto.v1.Sample.newBuilder().setTsMillis(ts).setStatus(ConntrackStatus.CONNTRACK_STATUS_LOADED)
                .setCount(count).setMax(65536).setBootId("boot").build();
    }
}
