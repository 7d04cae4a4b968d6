package ctfleet.agent.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A throw-away network namespace with conntrack switched on, for tests against the real kernel.
 *
 * <p>conntrack only tracks a namespace once some hook needs it, so the ruleset matches on
 * {@code ct state}. It also drops TCP to {@link #DROPPED_TCP_PORT} (to hold connections in
 * SYN_SENT) and everything to {@link #SINK_NET} (so the table filler's datagrams die at input
 * instead of each earning an ICMP port-unreachable; their entries are already confirmed on
 * output by then).
 *
 * <p>Names are {@code ctf-<pid>-<random>}: the pid lets {@link #deleteStale()} remove only
 * namespaces whose creating JVM is gone, never those of a run still in progress.
 */
public final class Netns implements AutoCloseable {

    public static final String PREFIX = "ctf-";
    public static final int DROPPED_TCP_PORT = 9999;
    public static final String SINK_NET = "127.0.1.0/24";

    static final String RULESET = """
            table inet ctf {
              chain in {
                type filter hook input priority 0;
                ct state invalid drop
                tcp dport %d drop
                ip daddr %s drop
              }
              chain out {
                type filter hook output priority 0;
                ct state established,related accept
              }
            }
            """.formatted(DROPPED_TCP_PORT, SINK_NET);

    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern OWNED_NAME = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-[0-9a-f]+");

    private final String name;
    private final String ip;
    private final Thread shutdownHook;
    /** What this harness started inside and is still running: killed before the namespace goes. */
    private final Set<Process> live = ConcurrentHashMap.newKeySet();
    private boolean closed;

    private Netns(String name, String ip) {
        this.name = name;
        this.ip = ip;
        this.shutdownHook = new Thread(this::delete, "delete " + name);
    }

    /** Creates the namespace, brings lo up and loads the conntrack ruleset. */
    public static Netns create() {
        String ip = KernelTestSupport.executable("ip").orElseThrow().toString();
        byte[] random = new byte[3];
        new SecureRandom().nextBytes(random);
        String name = PREFIX + ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(random);
        Commands.run(List.of(ip, "netns", "add", name), "", SETUP_TIMEOUT).stdoutOrThrow();
        Netns netns = new Netns(name, ip);
        // Registered before anything else can fail, so a crash mid-setup still cleans up.
        Runtime.getRuntime().addShutdownHook(netns.shutdownHook);
        try {
            Commands.run(List.of(ip, "-n", name, "link", "set", "lo", "up"), "", SETUP_TIMEOUT).stdoutOrThrow();
            String nft = KernelTestSupport.executable("nft").orElseThrow().toString();
            netns.run(List.of(nft, "-f", "-"), RULESET, SETUP_TIMEOUT).stdoutOrThrow();
            return netns;
        } catch (RuntimeException e) {
            netns.close();
            throw e;
        }
    }

    public String name() {
        return name;
    }

    /** Runs a command inside the namespace with stdin empty. */
    public CommandResult exec(Duration timeout, String... command) {
        return run(List.of(command), "", timeout);
    }

    public CommandResult exec(Duration timeout, List<String> command) {
        return run(command, "", timeout);
    }

    /** Runs a main class of the test classpath inside the namespace, e.g. the agent's {@code --print}. */
    public CommandResult execJava(Duration timeout, String mainClass, String... args) {
        return run(JavaCommand.of(mainClass, List.of(args)), "", timeout);
    }

    /**
     * Reads a file as the namespace sees it. /proc/net/* and /proc/sys/net/* answer for the
     * reading process's namespace, so reading from this JVM would show the host's table.
     */
    public String readFile(String path) {
        return exec(Duration.ofSeconds(30), "cat", path).stdoutOrThrow();
    }

    /** Starts a long-running command inside the namespace; the caller owns its streams. */
    public Process start(List<String> command) {
        List<String> full = inside(command);
        try {
            Process process = new ProcessBuilder(full).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            live.add(process);
            process.onExit().thenRun(() -> live.remove(process));
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + full, e);
        }
    }

    private CommandResult run(List<String> command, String stdin, Duration timeout) {
        return Commands.run(inside(command), stdin, timeout, live);
    }

    private List<String> inside(List<String> command) {
        List<String> full = new ArrayList<>(List.of(ip, "netns", "exec", name));
        full.addAll(command);
        return full;
    }

    /** Kills what still runs inside, then deletes the namespace. Safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        delete();
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to; it deletes an already deleted namespace harmlessly
        }
    }

    /**
     * Our own children first: one caught between fork and setns is not yet in the namespace,
     * so {@code ip netns pids} would miss it and it would keep running after the delete.
     */
    private void delete() {
        for (Process process : List.copyOf(live)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        deleteNamespace(ip, name);
    }

    /**
     * A process inside keeps the namespace (and its conntrack table) alive after
     * {@code ip netns del}, so everything still running in it goes first. These are processes
     * this harness started there.
     */
    private static void deleteNamespace(String ip, String name) {
        CommandResult pids = Commands.run(List.of(ip, "netns", "pids", name), "", SETUP_TIMEOUT);
        if (pids.succeeded()) {
            pids.stdout().lines().map(String::strip).filter(s -> s.matches("\\d+"))
                    .map(Long::parseLong)
                    .forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        }
        Commands.run(List.of(ip, "netns", "del", name), "", SETUP_TIMEOUT);
    }

    /**
     * Deletes namespaces left by a crashed earlier run: ours by prefix, and only when the JVM
     * whose pid is in the name no longer exists.
     *
     * @return the names deleted
     */
    public static List<String> deleteStale() {
        String ip = KernelTestSupport.executable("ip").orElseThrow().toString();
        String listing = Commands.run(List.of(ip, "netns", "list"), "", SETUP_TIMEOUT).stdoutOrThrow();
        List<String> deleted = new ArrayList<>();
        for (String line : listing.lines().toList()) {
            String candidate = line.strip().split("\\s+")[0];
            Matcher owned = OWNED_NAME.matcher(candidate);
            if (owned.matches() && ProcessHandle.of(Long.parseLong(owned.group(1))).isEmpty()) {
                deleteNamespace(ip, candidate);
                deleted.add(candidate);
            }
        }
        return deleted;
    }
}
