package ctfleet.server.fleet;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Entries piling up that are not demand: most of the table in states whose timeout is long (an
 * ESTABLISHED TCP entry waits out {@code tcp_timeout_established}, 5 days by default, after its last
 * packet) while the count climbs steadily with no daily cycle. Connections that are opened and never
 * closed (a pool that leaks, peers that vanish without FIN or RST) look exactly like that; a larger
 * table only moves the day it fills.
 *
 * <pre>
 *   long-timeout share = entries in states whose timeout is ≥ 1 h / sampled entries   ≥ 0.5
 *   and the count climbs: a {@link SteadyClimb}, or (≥ 3 days) daily peaks rising with
 *   b / se(b) ≥ 3 and R² ≥ 0.9
 * </pre>
 *
 * <p>The timeout to change comes from {@link TimeoutAdvisor}'s ESTABLISHED rule, applied here at
 * any fill: a leak is worth fixing before the table is three quarters full.
 */
public record LeakSigns(List<String> evidence, List<TimeoutAdvice> advice, String summary) {
    static final double MIN_SHARE = 0.5;
    static final long LONG_TIMEOUT_SECONDS = 3600;

    /** The sysctl (without the nf_conntrack_ prefix) that times out entries of this kind, or null. */
    static String timeoutOf(String protocol, String state) {
        return switch (protocol + "/" + state) {
            case "tcp/ESTABLISHED" -> "tcp_timeout_established";
            case "sctp/ESTABLISHED" -> "sctp_timeout_established";
            case "dccp/OPEN" -> "dccp_timeout_open";
            default -> null;
        };
    }

    static Optional<LeakSigns> of(HostHistory h, HostFacts f, PeakTrend trend, Instant now) {
        StateSample sample = f.states();
        long total = sample.total();
        if (total <= 0) {
            return Optional.empty();
        }
        long pilingUp = 0;
        StateCount largest = null;
        for (StateCount s : sample.states()) {
            String name = timeoutOf(s.protocol(), s.state());
            Long seconds = name == null ? null : f.timeouts().get(name);
            if (seconds != null && seconds >= LONG_TIMEOUT_SECONDS) {
                pilingUp += s.count();
                if (largest == null || s.count() > largest.count()) {
                    largest = s;
                }
            }
        }
        double share = (double) pilingUp / total;
        if (share < MIN_SHARE) {
            return Optional.empty();
        }
        Optional<SteadyClimb> climb = SteadyClimb.of(h.points(), h.max(), now);
        boolean peaksClimb = trend.hasTrend() && trend.slopePerDay() > 0 && trend.slopeT() >= 3 && trend.rSquared() >= 0.9;
        if (climb.isEmpty() && !peaksClimb) {
            return Optional.empty();
        }
        String timeout = timeoutOf(largest.protocol(), largest.state());
        long seconds = f.timeouts().get(timeout);
        List<String> evidence = new ArrayList<>();
        evidence.add(String.format(Locale.ROOT, "%.0f%% of the table (≈ %,d entries) is in states that wait out a"
                + " timeout of an hour or more, %s %s the most; %.0f%% of the table is assured (answered connections,"
                + " not new attempts)", share * 100, pilingUp, largest.protocol(), largest.state(),
                100.0 * f.assured() / total));
        evidence.add(String.format(Locale.ROOT, "%s is %d s (%.1f days%s): an idle or abandoned connection keeps"
                + " its entry that long after its last packet", timeout, seconds, seconds / 86_400.0,
                timeout.equals("tcp_timeout_established") && seconds == 432_000 ? ", the kernel default" : ""));
        if (climb.isPresent()) {
            SteadyClimb c = climb.get();
            evidence.add(String.format(Locale.ROOT, "the count climbs %+,.0f/day, steadily (a line explains %.0f%% of it"
                    + " over %.1f h) and with no daily cycle", c.perDay(), c.rSquared() * 100, c.span().toMinutes() / 60.0));
        } else {
            evidence.add(String.format(Locale.ROOT, "the daily peaks climb %+,.0f/day over %d days (a line explains %.0f%%)",
                    trend.slopePerDay(), trend.days(), trend.rSquared() * 100));
        }
        if (!f.topDestinations().isEmpty()) {
            StringBuilder top = new StringBuilder("top destinations:");
            for (HostFacts.Destination d : f.topDestinations().subList(0, Math.min(3, f.topDestinations().size()))) {
                top.append(String.format(Locale.ROOT, " %s:%d/%s %.0f%%,", d.address(), d.port(), d.protocol(),
                        100.0 * d.entries() / total));
            }
            evidence.add(top.substring(0, top.length() - 1) + " of the table");
        }
        List<TimeoutAdvice> advice = new ArrayList<>();
        // The advisor's own share threshold (30 %), with its ESTABLISHED rule at any fill.
        for (TimeoutAdvice a : new TimeoutAdvisor(0.30, 0).advise(sample, f.timeouts(), h.count(), h.max())) {
            if (a.sysctl().endsWith(timeout)) {
                advice.add(a);
            }
        }
        String fix;
        if (!advice.isEmpty()) {
            fix = String.format(Locale.ROOT, "lowering %s to %d s frees about %,d entries", timeout,
                    advice.get(0).suggestedSeconds(), advice.get(0).estimatedFreed());
        } else if (timeout.equals("tcp_timeout_established")) {
            fix = timeout + " was changed from the kernel default on purpose, so ctfleet suggests no new value";
        } else {
            fix = "ctfleet has no rule for " + timeout + "; lowering it frees entries in proportion";
        }
        String summary = String.format(Locale.ROOT, "%s entries (%.0f%% of the table) pile up under %s (%.1f days)"
                + " while the count climbs steadily: a leak, not demand; find what holds them (top destinations), %s",
                largest.state(), share * 100, timeout, seconds / 86_400.0, fix);
        return Optional.of(new LeakSigns(List.copyOf(evidence), List.copyOf(advice), summary));
    }
}
