package ctfleet.cli;

import ctfleet.cli.render.Format;
import ctfleet.proto.v1.HostRank;
import ctfleet.proto.v1.QueryGrpc;
import ctfleet.proto.v1.TopRequest;
import ctfleet.proto.v1.TopResponse;
import io.grpc.ManagedChannel;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * One line and a Nagios-style exit status, for cron and monitoring checks: 0 OK, 1 WARNING,
 * 2 CRITICAL, 3 UNKNOWN (server unreachable, or a usage error).
 *
 * <p>A stale host is never OK: its agent stopped reporting, and a full table refuses the agent's
 * own connection too, so its last numbers are judged as they were (critical when they dropped, were
 * at or over --crit, or had even odds of full) and otherwise it is a warning. When every host is
 * stale and none of them critical, the check cannot tell the fleet's state at all: UNKNOWN, the
 * status Nagios has for "no data".
 */
@Command(name = "check", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 3,
        description = "One line; exit 0 OK, 1 WARNING (incl. a stale host), 2 CRITICAL (a host dropping or over "
                + "--crit, stale or not), 3 UNKNOWN (every host stale, or no server).")
public final class CheckCommand implements Callable<Integer>, Cli.ExitCodes {
    @Mixin
    ServerOption server;

    @Option(names = "--warn", paramLabel = "FILL", defaultValue = "0.75", description = "Warn at this fill (default: ${DEFAULT-VALUE}).")
    double warn;

    @Option(names = "--crit", paramLabel = "FILL", defaultValue = "0.9", description = "Critical at this fill (default: ${DEFAULT-VALUE}).")
    double crit;

    @Option(names = "--eta-warn", paramLabel = "DURATION", defaultValue = "6h",
            description = "The forecast's horizon: warn when a host may be full within this (p_full >= 0.1; "
                    + "critical at 0.5; default: ${DEFAULT-VALUE}).")
    String etaWarn;

    @Option(names = "--window", paramLabel = "DURATION", defaultValue = "1h",
            description = "History the trend and drop rates look at (default: ${DEFAULT-VALUE}).")
    String window;

    @Spec
    CommandSpec spec;

    @Override
    public int unreachable() {
        return 3;
    }

    /**
     * A stale host's last numbers as they were: refusing, at or over --crit, or the server's critical
     * chance of full (p_full ≥ 0.5 within --eta-warn, the ranking's default).
     */
    private boolean critical(HostRank h) {
        boolean refusing = h.getDropsPerSecond() + h.getEarlyDropsPerSecond() + h.getInsertFailedPerSecond() > 0;
        return refusing || h.hasFill() && h.getFill() >= crit || h.hasFill() && h.getPFull() >= CRIT_P_FULL;
    }

    /** The server's crit threshold on p_full (RankerConfig's default); the wire does not carry it. */
    static final double CRIT_P_FULL = 0.5;

    @Override
    public Integer call() {
        if (!(warn > 0 && warn <= crit && crit <= 1)) {
            throw new UsageError("need 0 < --warn <= --crit <= 1");
        }
        long etaWarnSeconds = Cli.duration(etaWarn, "--eta-warn").toSeconds();
        if (etaWarnSeconds <= 0 || etaWarnSeconds > Duration.ofDays(30).toSeconds()) {
            throw new UsageError("--eta-warn: must be more than 0 and at most 30d, got " + etaWarn);
        }
        TopRequest req = TopRequest.newBuilder().setWarnFill(warn).setCritFill(crit)
                .setHorizonSeconds(etaWarnSeconds)
                .setWindowSeconds(Cli.range(window, "--window")).build();
        ManagedChannel ch = server.open();
        TopResponse top;
        try {
            top = QueryGrpc.newBlockingStub(ch).withDeadlineAfter(20, TimeUnit.SECONDS).top(req);
        } finally {
            ServerOption.close(ch);
        }
        int critical = 0;
        int warning = 0;
        int stale = 0;
        int clockSkew = 0;
        HostRank worst = null;
        for (HostRank h : top.getHostsList()) {
            switch (h.getStatus()) {
                case "dropping", "crit" -> critical++;
                case "warn" -> warning++;
                case "stale" -> {
                    stale++;
                    if (critical(h)) {
                        critical++;
                    } else {
                        warning++;
                    }
                }
                case "clock-skew" -> {
                    // The clock hides no emergency: a skewed host that drops or is over --crit is critical.
                    clockSkew++;
                    boolean refusing = h.getDropsPerSecond() + h.getEarlyDropsPerSecond() + h.getInsertFailedPerSecond() > 0;
                    if (refusing || h.hasFill() && h.getFill() >= crit) {
                        critical++;
                    } else {
                        warning++;
                    }
                }
                default -> { }
            }
            if (worst == null && !h.getStatus().equals("unlimited") && !h.getStatus().equals("no-conntrack")) {
                worst = h;
            }
        }
        boolean allStale = stale > 0 && stale == top.getHostsCount();
        int code = critical > 0 ? 2 : allStale ? 3 : warning > 0 ? 1 : 0;
        String word = switch (code) {
            case 2 -> "CRITICAL";
            case 3 -> "UNKNOWN";
            case 1 -> "WARNING";
            default -> "OK";
        };
        String nearest = worst == null ? "no host with a limit"
                : "nearest " + worst.getHost() + " " + worst.getStatus()
                + (worst.hasFill() ? " at " + Format.percent(worst.getFill()) + ", " + Format.probability(worst.getPFull())
                        + " chance of full within " + etaWarn : "")
                + Format.etaClause(worst.hasEtaSeconds(), worst.getEtaSeconds(), worst.getCount(), worst.getMax())
                + (worst.getStatus().equals("dropping") ? String.format(", dropping %.1f/s",
                        worst.getDropsPerSecond() + worst.getEarlyDropsPerSecond() + worst.getInsertFailedPerSecond()) : "");
        PrintWriter out = spec.commandLine().getOut();
        out.printf("CTFLEET %s - %d hosts, %d critical, %d warning, %d stale%s%s; %s%n", word, top.getHostsCount(),
                critical, warning, stale, allStale ? " (no agent is reporting)" : "",
                clockSkew == 0 ? "" : ", " + clockSkew + " with a clock off the server's", nearest);
        out.flush();
        return code;
    }
}
