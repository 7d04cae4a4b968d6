package ctfleet.server.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Gateways that take each other's load (an HA pair, a VRRP or anycast neighbour), found in the
 * fleet's own history, and what the next failover would do to each.
 *
 * <p>One host's series cannot foretell that its partner fails: the jump comes from outside. The
 * fleet's history can say who the partner is and whether the survivor holds both loads. On
 * ten-minute bins of the last two days, a failover is two steps in one bin, and their reverse
 * later in another:
 * <ul>
 *   <li>one host's count falls to a fifth of its level or less, from below max (a clamped table's
 *       load is unknown);
 *   <li>one other host's rises by half to twice as many entries, or less when it stopped at max,
 *       beyond five robust standard deviations of its own steps, and closer in size to the fall
 *       than any other host's rise by a quarter: two that took about as much (a group sharing
 *       the load, a fleet-wide event) name no partner;
 *   <li>when the first comes back, the second falls by about what came back. A fall and an
 *       unrelated rise in one bin by chance (a spike ending as another ramps) do not reverse.
 * </ul>
 * A fall no one took up is a drain or an outage, not a failover.
 *
 * <p>For each host with a partner, the chance that the partner's load lands on it within the
 * horizon H: {@code q = ½ (1 − e^{−r·H}) · s}. r is the pair's rate of failovers, k of them over
 * the D days both were watched plus one ({@code r = k / (D + 1)}): a pair is only found once it
 * failed over, and one failover in two days is not its usual rate; ½ is for the direction, since
 * either may be the one that fails. s is the share of the last day's bins in which the two counts
 * together reached this host's max: a failover at a random time overflows the survivor with that
 * chance. The forecast's p becomes {@code 1 − (1 − p)(1 − q)}.
 *
 * <p>A pair whose load sits on one host now is left to that host's own forecast: its count
 * already holds both. Every host with a partner and no risk is told where the pair's load last
 * moved ({@link Analysis#moves}): a step or a burst in its own reason is most likely that. A
 * failover of the last half hour, too new for the step statistic, is told as soon as a bin shows
 * it ({@link #tailFall}), in place of the risk phrase, whose load has landed; so is one whose
 * gateway died with its agent ({@link #silence}), whose series shows no fall at all. Pairs
 * declared with the label {@link DeclaredPairs#LABEL} are told so too, though they add no risk:
 * the rate of failovers is read from failovers seen.
 *
 * <p>{@link #partners} gives the same pairs to capacity plans ({@link PairLoad}), without either
 * filter of the ranking (an overflow today, the load on one host now): a plan sizes each of the
 * pair for the next failover, whatever today's fill.
 */
public final class FailoverPairs {
    static final long BIN_SECONDS = 600;
    /** Bins either side of a step that say the level before and after it. */
    static final int SIDE = 3;
    /** A host failing over keeps at most this share of its level. */
    static final double KEEPS = 0.2;
    /** A fall smaller than this share of max moves too little load to matter. */
    static final double MIN_STEP = 0.05;
    /** A partner's rise is within this factor of the fall, or less when it stopped at max. */
    static final double MATCH = 2;
    /** The partner's rise is closer to the fall than any other host's, by this log ratio. */
    static final double DISTINCT = Math.log(1.25);
    /** A partner's step must stand this many robust standard deviations out of its own steps. */
    static final double NOISE_SDS = 5;
    static final double DAY = 86_400;
    /** Empty bins at the end that make a host silent: its partner's bins since say the load moved. */
    static final int SILENT_BINS = 2;
    /** The days of history searched: what the forecast reads too. */
    static final int WINDOW_DAYS = 2;

    /**
     * A host's partner: they failed over to each other {@code failovers} times in the window, last
     * at {@code lastFailover} (none when the pair is only declared, {@link DeclaredPairs}), and the
     * value of the label that declares them, if one does.
     */
    public record Partner(String host, int failovers, Optional<Instant> lastFailover, Optional<String> declared) {
        /** Found in the history, not declared. */
        Partner(String host, int failovers, Instant lastFailover) {
            this(host, failovers, Optional.of(lastFailover), Optional.empty());
        }
    }

    /** What a host's partner failing over would do to it. */
    record Risk(String partner, double chance, Instant lastFailover, double overflowShare) {}

    /**
     * What the ranking reads of the pairs: the risk each partner brings ({@link #find}); for every
     * host with a partner, found or declared, a phrase saying where the load last moved (absent when
     * a declared pair never moved), so a step or a burst in its own reason can be checked against
     * its partner's history; the partners, found with the declared ones added
     * ({@link DeclaredPairs#with}), for a plan made from the same search; and, per host of a pair
     * found (and not overruled by a declaration), the failovers that are over ({@link Span}), which
     * its own forecast leaves out.
     */
    record Analysis(Map<String, Risk> risks, Map<String, Move> moves, Map<String, Partner> partners,
                    Map<String, List<Span>> moved) {
        static final Analysis NONE = new Analysis(Map.of(), Map.of(), Map.of(), Map.of());
    }

    /**
     * A failover found and over, from the start of the bin before the one the load left in to the end
     * of the bin after the one it came back in: each host of the pair then shows the pair's doing
     * (its partner's load on top of its own, or its own gone), not its own demand, and what that
     * does to it is the partner's risk. A bin either side, since the bin a move is found in is the
     * first whole one: the bucket before it may hold the move's first minutes, whose peak, left
     * next to a gap, reads as a burst.
     */
    record Span(Instant from, Instant to) {
        boolean contains(Instant t) {
            return !t.isBefore(from) && t.isBefore(to);
        }
    }

    /**
     * Where a pair's load last moved, in words, and whether it is on one of them now: a failover
     * under way is told in place of the risk phrase, since the load that phrase is about has landed.
     * {@code landedBy}: for both hosts of a failover under way, the end of the bin the fallen one
     * fell in (the load had moved by then: a step in each host's series, which the newest sample
     * alone may show); for a host whose own load came back from its partner within the hour, the
     * end of the bin it came back in; null otherwise.
     */
    record Move(String phrase, boolean underWay, Instant landedBy) {
        Move(String phrase) {
            this(phrase, false, null);
        }
    }

    /** One failover: at {@code bin} host {@code fell} lost its load to the other, and it came back at {@code back}. */
    private record Episode(int bin, int fell, int back) {}

    /** A fall from {@code before} by {@code entries} at {@code bin}. */
    private record Step(int host, int bin, double before, double entries) {}

    /** Where the step statistic sits with no failover (a host's drift and cycle), and how far it strays. */
    private record Spread(double centre, double sd) {
        static final Spread NONE = new Spread(0, Double.POSITIVE_INFINITY);

        boolean rise(double r) {
            return r > centre + NOISE_SDS * sd;
        }

        boolean fall(double r) {
            return r < centre - NOISE_SDS * sd;
        }
    }

    private FailoverPairs() {}

    /** Per host id, the risk its partner brings; hosts without a partner (most) are absent. */
    static Map<String, Risk> find(List<HostHistory> hosts, Instant now, Duration horizon) {
        return analyse(hosts, now, horizon).risks();
    }

    /** The risks of {@link #find}, and where each pair's load last moved, from one search. */
    static Analysis analyse(List<HostHistory> hosts, Instant now, Duration horizon) {
        Found f = detect(hosts, now);
        Map<String, Risk> out = new HashMap<>();
        Map<String, Move> moves = new HashMap<>();
        Map<String, List<Span>> moved = new HashMap<>();
        double horizonDays = horizon.getSeconds() / DAY;
        f.forEachPair((h, other, seen) -> {
            List<Span> spans = new ArrayList<>(seen.size());
            for (Episode e : seen) {
                spans.add(new Span(f.at(e.bin() - 1), f.at(e.back() + 2)));
            }
            moved.put(hosts.get(h).host(), spans);
            if (failedOver(f.level[h]) || failedOver(f.level[other])) {
                return;
            }
            double days = Math.max(1, watchedDays(f.level[h], f.level[other]));
            // A pair is only found once it failed over: a day with none is added to what was watched,
            // so one failover in the window is not read as the pair's usual rate.
            double rate = seen.size() / (days + 1);
            double share = overflowShare(f.level[h], f.level[other], f.atMax[h], hosts.get(h).max());
            double chance = 0.5 * -Math.expm1(-rate * horizonDays) * share;
            if (chance > 0) {
                out.put(hosts.get(h).host(), new Risk(hosts.get(other).host(), chance, f.lastFailover(seen), share));
            }
        });
        Map<String, Partner> found = partners(f, hosts);
        // Where the load moved is told for declared pairs too: a pair that fails over only at a drill
        // is not found in the history, but its operator said who takes the load.
        Map<String, Integer> index = new HashMap<>();
        for (int h = 0; h < hosts.size(); h++) {
            index.put(hosts.get(h).host(), h);
        }
        Map<String, Partner> paired = DeclaredPairs.with(found, hosts);
        // A declaration wins over the history (DeclaredPairs.with): a risk from a partner the operator
        // says is not the one, in either direction, goes with it, so top and capacity name one partner.
        out.entrySet().removeIf(e -> paired.get(e.getKey()) == null
                || !paired.get(e.getKey()).host().equals(e.getValue().partner()));
        moved.keySet().removeIf(host -> paired.get(host) == null
                || !paired.get(host).host().equals(found.get(host).host()));
        paired.forEach((host, partner) -> {
            int h = index.get(host);
            Integer other = index.get(partner.host());
            if (other != null && f.level[h] != null && f.level[other] != null) {
                Move move = f.lastMove(h, other, partner.host(),
                        f.episodes.getOrDefault(key(h, other), List.of()), now);
                if (move != null) {
                    moves.put(host, move);
                }
            }
        });
        return new Analysis(out, moves, paired, moved);
    }

    /**
     * Per host id, its partner, whether or not either failing over would overflow the other today,
     * and whether or not the load sits on one of them now: what a capacity plan sizes for.
     */
    public static Map<String, Partner> partners(List<HostHistory> hosts, Instant now) {
        return partners(detect(hosts, now), hosts);
    }

    private static Map<String, Partner> partners(Found f, List<HostHistory> hosts) {
        Map<String, Partner> out = new HashMap<>();
        f.forEachPair((h, other, seen) -> out.put(hosts.get(h).host(),
                new Partner(hosts.get(other).host(), seen.size(), f.lastFailover(seen))));
        return out;
    }

    /**
     * What the search found: the binned levels, each pair's failovers by pair key, and each host's
     * newest fall to a fifth (null when none), which may not have come back yet.
     */
    private record Found(double[][] level, boolean[][] atMax, long first, Map<Long, List<Episode>> episodes,
                         Map<Integer, Long> best, Step[] newestFall, Step[] tailFall, Step[] silence,
                         Spread[] noise) {
        interface PairVisitor {
            void visit(int host, int partner, List<Episode> failovers);
        }

        /** Each host whose likeliest pair is also its partner's likeliest, once per direction. */
        void forEachPair(PairVisitor v) {
            for (Map.Entry<Integer, Long> e : best.entrySet()) {
                int h = e.getKey();
                long pair = e.getValue();
                int other = (int) (pair >> 32) == h ? (int) pair : (int) (pair >> 32);
                if (e.getValue().equals(best.get(other))) {
                    v.visit(h, other, episodes.get(pair));
                }
            }
        }

        Instant lastFailover(List<Episode> seen) {
            return at(seen.stream().mapToInt(Episode::bin).max().orElseThrow());
        }

        Instant at(int bin) {
            return Instant.ofEpochSecond((first + bin) * BIN_SECONDS);
        }

        /**
         * Where the pair's load last moved, seen from {@code h}: onto one of them now (a fall newer
         * than every failover found, the fallen host still down), else its own load's return within
         * the hour (its newest rise), else the newest failover that brought the partner's load to
         * {@code h} (what a burst in its own series most likely was), else the newest that took its
         * load away; null when none did (a declared pair, quiet).
         */
        Move lastMove(int h, int other, String partner, List<Episode> seen, Instant now) {
            int newest = seen.stream().mapToInt(Episode::bin).max().orElse(-1);
            if (holds(h, other, newest)) {
                return underWay("holding " + partner + "'s load", newestFall[other], now);
            }
            if (holds(other, h, newest)) {
                return underWay("its load on " + partner, newestFall[h], now);
            }
            if (tookAtTail(h, tailFall[other])) {
                return underWay("holding " + partner + "'s load", tailFall[other], now);
            }
            if (tookAtTail(other, tailFall[h])) {
                return underWay("its load on " + partner, tailFall[h], now);
            }
            if (tookAtTail(h, silence[other])) {
                return underWay("holding " + partner + "'s load", silence[other], now, partner + " went silent");
            }
            if (tookAtTail(other, silence[h])) {
                return underWay("its load on " + partner, silence[h], now, "went silent");
            }
            Episode took = null;
            Episode gave = null;
            for (Episode e : seen) {
                if (e.fell() == other && (took == null || e.bin() > took.bin())) {
                    took = e;
                } else if (e.fell() == h && (gave == null || e.bin() > gave.bin())) {
                    gave = e;
                }
            }
            if (gave != null && (took == null || gave.bin() > took.bin())
                    && gave.back() >= level[h].length - (int) (3600 / BIN_SECONDS)) {
                // Its own load came back within the hour: that is its newest rise, a step, not a surge.
                return new Move("failed over to " + partner + " " + span(gave, now), false, at(gave.back() + 1));
            }
            return took != null ? new Move(partner + " failed over to it " + span(took, now))
                    : gave != null ? new Move("failed over to " + partner + " " + span(gave, now))
                    : null;
        }

        private Move underWay(String what, Step fall, Instant now) {
            return underWay(what, fall, now, "failover");
        }

        private Move underWay(String what, Step fall, Instant now, String why) {
            return new Move(what + " since " + Reasons.time(at(fall.bin()), now) + " (" + why + ")", true,
                    at(fall.bin() + 1));
        }

        /**
         * Whether {@code h} holds {@code fell}'s load now: {@code fell} fell after the pair's newest
         * failover and is still down, and {@code h}'s newest hour is up by at least half of that fall
         * from the bins before it (it may have gone elsewhere: a drain, an outage, a group).
         */
        private boolean holds(int h, int fell, int newestFailover) {
            Step d = newestFall[fell];
            if (d == null || d.bin() <= newestFailover || !failedOver(level[fell])) {
                return false;
            }
            int hour = (int) (3600 / BIN_SECONDS);
            double before = median(level[h], Math.max(0, d.bin() - SIDE), d.bin());
            double newestHour = median(level[h], Math.max(0, level[h].length - hour), level[h].length);
            return newestHour - before >= d.entries() / MATCH;
        }

        /**
         * Whether {@code h} took a fall of the last bins ({@link #tailFall}): its bins since then, and
         * its newest, are up from the three before by about what fell (between half and twice, or
         * less when it stopped at max), beyond its own noise.
         */
        private boolean tookAtTail(int h, Step d) {
            if (d == null || level[h] == null) {
                return false;
            }
            double[] l = level[h];
            double before = median3(l, d.bin() - SIDE);
            boolean clamped = false;
            for (int i = d.bin() - 1; i < l.length; i++) {
                clamped |= atMax[h][i];
            }
            for (double rise : new double[] {since(l, d.bin()) - before, newest(l) - before}) {
                if (!(noise[h].rise(rise) && rise <= MATCH * d.entries() && (rise >= d.entries() / MATCH || clamped))) {
                    return false;
                }
            }
            return true;
        }

        private String span(Episode e, Instant now) {
            return Reasons.span(at(e.bin()), at(e.back()), now);
        }
    }

    private static Found detect(List<HostHistory> hosts, Instant now) {
        long nowBin = Math.floorDiv(now.getEpochSecond(), BIN_SECONDS);
        int bins = (int) (WINDOW_DAYS * DAY / BIN_SECONDS);
        long first = nowBin - bins + 1;
        double[][] level = new double[hosts.size()][];
        double[][] step = new double[hosts.size()][];
        boolean[][] atMax = new boolean[hosts.size()][];
        Spread[] noise = new Spread[hosts.size()];
        Step[] tailFall = new Step[hosts.size()];
        Step[] silence = new Step[hosts.size()];
        // Each task sets its own host's slot of a list that never grows: nothing is shared between them.
        List<List<Step>> fallsOf = new ArrayList<>(java.util.Collections.nCopies(hosts.size(), List.of()));
        // Each host's bins stand alone, and the ranking waits for this pass before it forecasts: on
        // a fleet, spread it over the cores like the forecasts.
        onCores(hosts.size(), hosts.size(), h -> {
            HostHistory host = hosts.get(h);
            if (host.conntrack() != ConntrackModule.LOADED || host.max() <= 0 || host.points().isEmpty()) {
                return;
            }
            level[h] = new double[bins];
            atMax[h] = new boolean[bins];
            bin(host.points(), first, level[h], atMax[h]);
            step[h] = steps(level[h]);
            noise[h] = noise(step[h]);
            List<Step> falls = new ArrayList<>();
            drops(h, level[h], step[h], atMax[h], host.max(), falls);
            fallsOf.set(h, falls);
            tailFall[h] = tailFall(h, level[h], atMax[h], host.max());
            silence[h] = silence(h, level[h], atMax[h], host.max());
        });
        List<Step> drops = new ArrayList<>();
        fallsOf.forEach(drops::addAll); // in host order, as one pass over the hosts found them
        // Which host took each fall's load, and whether it came back, looked for against every host;
        // kept in the falls' order below, so the episodes are listed as a single pass lists them.
        int[] takerOf = new int[drops.size()];
        int[] backAt = new int[drops.size()];
        onCores(drops.size(), hosts.size(), i -> {
            Step d = drops.get(i);
            takerOf[i] = taker(d, level, step, atMax, noise);
            int t = takerOf[i];
            backAt[i] = t < 0 ? -1 : cameBack(d, level[d.host()], step[d.host()], step[t], atMax[t], noise[t]);
        });
        Map<Long, List<Episode>> episodes = new HashMap<>(); // pair key -> its failovers
        Step[] newestFall = new Step[hosts.size()];
        for (int i = 0; i < drops.size(); i++) {
            Step d = drops.get(i);
            if (newestFall[d.host()] == null || newestFall[d.host()].bin() < d.bin()) {
                newestFall[d.host()] = d;
            }
            if (backAt[i] >= 0) {
                episodes.computeIfAbsent(key(d.host(), takerOf[i]), k -> new ArrayList<>())
                        .add(new Episode(d.bin(), d.host(), backAt[i]));
            }
        }
        Map<Integer, Long> best = new HashMap<>();
        for (Map.Entry<Long, List<Episode>> e : episodes.entrySet()) {
            for (int h : new int[] {(int) (e.getKey() >> 32), (int) (long) e.getKey()}) {
                Long had = best.get(h);
                if (had == null || episodes.get(had).size() < e.getValue().size()) {
                    best.put(h, e.getKey());
                }
            }
        }
        return new Found(level, atMax, first, episodes, best, newestFall, tailFall, silence, noise);
    }

    /**
     * The host that took a fall's load: the one whose rise around its bin matches what fell, beyond
     * its own noise; -1 when none does, or when two took about as much (a group shared the load,
     * or chance: neither is the partner).
     */
    private static int taker(Step d, double[][] level, double[][] step, boolean[][] atMax, Spread[] noise) {
        int partner = -1;
        double closest = Double.POSITIVE_INFINITY;
        double next = Double.POSITIVE_INFINITY;
        for (int h = 0; h < level.length; h++) {
            if (h == d.host() || level[h] == null) {
                continue;
            }
            double rise = rise(step[h], d.bin());
            boolean clamped = false;
            for (int j = Math.max(0, d.bin() - 1); j < Math.min(level[h].length, d.bin() + SIDE); j++) {
                clamped |= atMax[h][j];
            }
            // A rise that noise could make, or far more or (unless it stopped at max) far less
            // than what the other host shed, did not take its load.
            if (!(noise[h].rise(rise) && rise <= MATCH * d.entries() && (rise >= d.entries() / MATCH || clamped))) {
                continue;
            }
            double off = clamped && rise <= d.entries() ? 0 : Math.abs(Math.log(rise / d.entries()));
            if (off < closest) {
                next = closest;
                closest = off;
                partner = h;
            } else if (off < next) {
                next = off;
            }
        }
        return next - closest < DISTINCT ? -1 : partner;
    }

    /**
     * Runs {@code task} for 0..n-1, on the common pool's cores when the fleet is as large as the
     * ranking's own parallel pass ({@link Ranker#PARALLEL_FROM}): each item's work grows with it.
     */
    private static void onCores(int n, int fleet, java.util.function.IntConsumer task) {
        java.util.stream.IntStream range = java.util.stream.IntStream.range(0, n);
        (fleet < Ranker.PARALLEL_FROM ? range : range.parallel()).forEach(task);
    }

    /** The forecast's p with the partner's risk added: either may fill the table. */
    static double combine(double pFull, Risk risk) {
        return 1 - (1 - pFull) * (1 - risk.chance());
    }

    private static long key(int a, int b) {
        return ((long) Math.min(a, b) << 32) | Math.max(a, b);
    }

    /** Average count per bin (NaN where none), and whether a sample in it was at max. */
    private static void bin(List<CountPoint> points, long first, double[] level, boolean[] atMax) {
        double[] sum = new double[level.length];
        double[] n = new double[level.length];
        if (points instanceof CountSeries s) {
            // The in-memory tails' form, read straight from its arrays: a point object per sample per
            // host on every ranking was a tenth of the call's allocation.
            for (int i = 0; i < s.size(); i++) {
                add(Math.floorDiv(Math.floorDiv(s.tsMillis(i), 1000L), BIN_SECONDS) - first, s.count(i), s.max(i),
                        s.peak(i), s.samples(i), sum, n, atMax);
            }
        } else {
            for (CountPoint p : points) {
                add(Math.floorDiv(p.ts().getEpochSecond(), BIN_SECONDS) - first, p.count(), p.max(), p.peak(),
                        p.samples(), sum, n, atMax);
            }
        }
        for (int b = 0; b < level.length; b++) {
            level[b] = n[b] > 0 ? sum[b] / n[b] : Double.NaN;
        }
    }

    private static void add(long b, long count, long max, long peak, int samples, double[] sum, double[] n,
            boolean[] atMax) {
        if (b < 0 || b >= sum.length) {
            return;
        }
        int weight = Math.max(1, samples);
        sum[(int) b] += (double) count * weight;
        n[(int) b] += weight;
        atMax[(int) b] |= max > 0 && peak >= max;
    }

    /**
     * The step statistic at each bin: the median level of it and the next two less that of the
     * three before (NaN where under two of either have data, and within three bins of the ends).
     */
    private static double[] steps(double[] level) {
        double[] step = new double[level.length];
        Arrays.fill(step, Double.NaN);
        for (int i = SIDE; i + SIDE <= level.length; i++) {
            step[i] = median3(level, i) - median3(level, i - SIDE);
        }
        return step;
    }

    /**
     * Where the count falls to a fifth of its level or less from below max: the first bin past the
     * middle of such a fall, the biggest of each run of bins that show one.
     */
    private static void drops(int host, double[] level, double[] step, boolean[] atMax, long max, List<Step> out) {
        Step run = null;
        for (int i = SIDE; i + SIDE <= level.length; i++) {
            double before = median3(level, i - SIDE);
            double fall = -step[i];
            double mid = before - fall / 2;
            // The step is at the first bin past its middle: the bin the partner's rise is looked for in.
            boolean first = !Double.isNaN(level[i - 1]) && !Double.isNaN(level[i])
                    && level[i - 1] > mid && level[i] <= mid;
            // A table at max before it fell shed an unknown load (its demand was clamped): no match.
            boolean clamped = atMax[i - 1] || atMax[i - 2] || atMax[i - SIDE];
            if (first && !clamped && fall >= MIN_STEP * max && before - fall <= KEEPS * before) {
                Step d = new Step(host, i, before, fall);
                run = run == null || d.entries() > run.entries() ? d : run;
            } else if (run != null) {
                out.add(run);
                run = null;
            }
        }
        if (run != null) {
            out.add(run);
        }
    }

    /**
     * A fall to a fifth or less in the last {@link #SIDE} bins, too new for the step statistic (it
     * needs three bins after): the first bin past its middle, with the median of the bins since and
     * the newest at a fifth or less of the three before, none of those at max. Told only between
     * partners already known (found or declared), whose other side must have taken it
     * ({@link Found#tookAtTail}): a failover an operator looks at within minutes of its alert.
     */
    private static Step tailFall(int host, double[] level, boolean[] atMax, long max) {
        double latest = newest(level);
        for (int i = Math.max(SIDE, level.length - SIDE); i < level.length; i++) {
            double before = median3(level, i - SIDE);
            if (Double.isNaN(level[i]) || Double.isNaN(level[i - 1]) || atMax[i - 1] || atMax[i - 2] || atMax[i - SIDE]) {
                continue;
            }
            double after = since(level, i);
            double fall = before - after;
            if (level[i - 1] > before - fall / 2 && level[i] <= before - fall / 2 && fall >= MIN_STEP * max
                    && after <= KEEPS * before && latest <= KEEPS * before) {
                return new Step(host, i, before, fall);
            }
        }
        return null;
    }

    /**
     * A host whose agent went silent (its last {@link #SILENT_BINS} bins or more empty) read as a
     * fall of its whole last level at the first empty bin: a gateway that dies takes its agent with
     * it, and its partner takes the load. Told, like a fall of the last bins, only between partners
     * already known whose other side took about that much ({@link Found#tookAtTail}); null when the
     * host reports, or its last level was too small to matter or clamped at max.
     */
    private static Step silence(int host, double[] level, boolean[] atMax, long max) {
        int last = level.length - 1;
        while (last >= 0 && Double.isNaN(level[last])) {
            last--;
        }
        if (last < SIDE - 1 || level.length - 1 - last < SILENT_BINS || atMax[last] || atMax[last - 1]) {
            return null;
        }
        double before = median3(level, last - SIDE + 1);
        return before >= MIN_STEP * max ? new Step(host, last + 1, before, before) : null;
    }

    /** The median of the bins from {@code from} to the newest that have data (the one, when one does). */
    private static double since(double[] level, int from) {
        double m = median(level, from, level.length);
        return Double.isNaN(m) ? newest(level) : m;
    }

    /**
     * The newest level known: the bin under way is empty until the agent's next sample, for up to
     * ten minutes with samples that far apart.
     */
    private static double newest(double[] level) {
        for (int i = level.length - 1; i >= 0; i--) {
            if (!Double.isNaN(level[i])) {
                return level[i];
            }
        }
        return Double.NaN;
    }

    /** The largest step around {@code bin} (a bin either way); NaN when none is known. */
    private static double rise(double[] step, int bin) {
        double best = Double.NaN;
        for (int i = Math.max(0, bin - 1); i <= bin + 1 && i < step.length; i++) {
            if (!Double.isNaN(step[i]) && !(step[i] <= best)) { // the first known, or a larger one
                best = step[i];
            }
        }
        return best;
    }

    /** Where the step statistic sits over the window (no failover moves most of its bins), and its spread. */
    private static Spread noise(double[] step) {
        double[] d = new double[step.length];
        int k = 0;
        for (double r : step) {
            if (!Double.isNaN(r)) {
                d[k++] = r;
            }
        }
        if (k < 2 * SIDE) {
            return Spread.NONE;
        }
        double centre = Medians.median(d.clone(), k);
        return new Spread(centre, Medians.madInPlace(d, k));
    }

    /**
     * The bin where the host that fell came back (its level past the middle of its fall again), if
     * the partner fell there, beyond its noise, by between half and twice what came back (or less,
     * from max: the kernel had clamped what it held); -1 if it did not.
     */
    private static int cameBack(Step d, double[] fell, double[] fellStep, double[] partnerStep,
            boolean[] partnerAtMax, Spread partnerNoise) {
        double mid = d.before() - d.entries() / 2;
        for (int j = d.bin() + 1; j + SIDE <= fell.length; j++) {
            if (Double.isNaN(fell[j]) || fell[j] <= mid || Double.isNaN(fell[j - 1]) || fell[j - 1] > mid) {
                continue;
            }
            double back = fellStep[j];
            for (int i = j - 1; i <= j + 1 && i + SIDE <= partnerStep.length; i++) {
                double r = partnerStep[i];
                boolean clamped = partnerAtMax[i - 1] || partnerAtMax[i - 2];
                if (partnerNoise.fall(r) && -r <= MATCH * back && (-r >= back / MATCH || clamped)) {
                    return j;
                }
            }
            return -1;
        }
        return -1;
    }

    /**
     * The median of the three bins from {@code from} that have data (the mean of two); NaN when
     * fewer than two do. Without an array: every host's every bin takes two.
     */
    private static double median3(double[] level, int from) {
        double a = level[from];
        double b = level[from + 1];
        double c = level[from + 2];
        if (Double.isNaN(a)) {
            return (b + c) / 2; // NaN when either is
        }
        if (Double.isNaN(b)) {
            return (a + c) / 2;
        }
        if (Double.isNaN(c)) {
            return (a + b) / 2;
        }
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }

    /** The median of the bins in [from, to) that have data; NaN when under two do. */
    private static double median(double[] level, int from, int to) {
        double[] v = new double[to - from];
        int k = 0;
        for (int i = from; i < to; i++) {
            if (!Double.isNaN(level[i])) {
                v[k++] = level[i];
            }
        }
        return k < 2 ? Double.NaN : Medians.median(v, k);
    }

    /** Its newest hour is a fifth or less of the day before it: its load is on the partner now. */
    private static boolean failedOver(double[] level) {
        int hour = (int) (3600 / BIN_SECONDS);
        double newest = median(level, Math.max(0, level.length - hour), level.length);
        double before = median(level, Math.max(0, level.length - (int) (DAY / BIN_SECONDS)),
                Math.max(0, level.length - hour));
        return newest <= KEEPS * before;
    }

    private static double watchedDays(double[] a, double[] b) {
        int both = 0;
        for (int i = 0; i < a.length; i++) {
            both += Double.isNaN(a[i]) || Double.isNaN(b[i]) ? 0 : 1;
        }
        return both * BIN_SECONDS / DAY;
    }

    /** Of the last day's bins with both counts, the share where together they reach this host's max. */
    private static double overflowShare(double[] mine, double[] partner, boolean[] mineAtMax, long max) {
        int from = Math.max(0, mine.length - (int) (DAY / BIN_SECONDS));
        int both = 0;
        int over = 0;
        for (int i = from; i < mine.length; i++) {
            if (Double.isNaN(mine[i]) || Double.isNaN(partner[i])) {
                continue;
            }
            both++;
            // A sum the bins either side do not confirm is, with sparse samples (an agent every 10
            // minutes), the one that fell sampled before its fall and the other after its rise: the
            // moved load counted twice, for one bin (PairLoad reads its sums the same way).
            double confirmed = Math.min(mine[i] + partner[i], Math.max(sum(mine, partner, i - 1),
                    sum(mine, partner, i + 1)));
            over += mineAtMax[i] || confirmed >= max ? 1 : 0;
        }
        return both == 0 ? 0 : (double) over / both;
    }

    /** The two levels' sum at bin i; -∞ where either is unknown or i is outside the window. */
    private static double sum(double[] mine, double[] partner, int i) {
        if (i < 0 || i >= mine.length || Double.isNaN(mine[i]) || Double.isNaN(partner[i])) {
            return Double.NEGATIVE_INFINITY;
        }
        return mine[i] + partner[i];
    }
}
