package ctfleet.server.fleet;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * One short phrase that says why a host got its forecast, in terms a person can check against
 * {@code ctfleet history}: "growing 4 %/h since 09:10", "stepped up 58 → 93 % at 13:02, flat
 * since", "daily crest reaches max at 19:00". Percentages are of the host's max; times are UTC,
 * with the date when more than 20 hours from now.
 */
final class Reasons {
    /** A level change at a split this large (fill) is a step; smaller ones are a change of slope. */
    static final double STEP = 0.03;
    /** Growth slower than this (fill per day) reads as flat. */
    static final double FLAT = 0.005;
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DATED = DateTimeFormatter.ofPattern("MM-dd HH:mm").withZone(ZoneOffset.UTC);

    private Reasons() {}

    static String describe(Observations o, List<CountPoint> points, List<Regimes.Start> regimes, TrendFit fit,
            double seasonNow, TrendPosterior post, Excursions ex, Outlook outlook, double[] season, Instant now, Instant refillSince,
            TrendPosterior.Surge surge) {
        Regimes.Start last = regimes.get(regimes.size() - 1);
        String since = time(points.get(last.from()).ts(), now);
        double slope = post.growth >= 0.5 ? post.meanSlope : 0;
        String trend = Math.abs(slope) < FLAT ? "flat" : (slope > 0 ? "growing " : "falling ") + rate(Math.abs(slope));
        StringBuilder b = new StringBuilder();
        boolean flatStory = false;
        boolean told = false; // the story itself is the change of max
        if (refillSince != null) {
            b.append("rebooted at ").append(time(refillSince, now)).append(", refilling toward ")
                    .append(percent(fit.level + seasonNow)).append(" (")
                    .append(trend.equals("flat") ? "flat" : trend).append(" before)");
        } else if (surge != null && last.kind() != Regimes.Kind.START
                && Duration.between(points.get(last.from()).ts(), now).toSeconds() <= surge.since() + 2 * o.spacing) {
            // The newest regime is the surge itself, a few buckets long: too short for a slope, so it
            // would read "flat since" or "stepped up" right before "rising". Say what the surge left.
            Instant began = now.minusSeconds(Math.round(surge.since()));
            b.append("at ").append(percent(fit.fitted[last.from() - 1])).append(" until ").append(time(began, now));
        } else if (last.kind() != Regimes.Kind.START) {
            // The newest level change: the newest regime's start, or the one before it when the
            // newest only changed the slope.
            int at = regimes.size() - 1;
            if (jump(fit, regimes.get(at)) < STEP && at > 1 && jump(fit, regimes.get(at - 1)) >= STEP) {
                at--;
            }
            Regimes.Start step = regimes.get(at);
            Regimes.Start raise = raisedOffMax(o, last) ? last : raisedOffMax(o, step) ? step : null;
            boolean stepped = raise != null || jump(fit, step) >= STEP;
            if (raise != null) {
                // What the table held before is unknown (the kernel clamped it): a level "before" would
                // be the fit's guess, and a step from it no more than that.
                step = raise;
                b.append("full until max was raised ").append(limits(o, points, now)).append(", then ")
                        .append(percent(fit.fitted[step.from()]));
                told = true;
            } else if (stepped) {
                double before = fit.fitted[step.from() - 1];
                double after = fit.fitted[step.from()];
                b.append(after > before ? "stepped up " : "stepped down ").append(percentNumber(before)).append(" → ")
                        .append(percent(after)).append(" at ").append(time(points.get(step.from()).ts(), now));
            }
            if (stepped) {
                b.append(", ").append(trend).append(" since");
                if (step != last && !trend.equals("flat")) {
                    b.append(" ").append(since);
                }
            } else {
                b.append(trend).append(" since ").append(since);
            }
            flatStory = trend.equals("flat");
        } else if (trend.equals("flat")) {
            b.append("flat at ").append(percent(fit.level + seasonNow));
            flatStory = true;
        } else {
            b.append(trend).append(" since ").append(since);
        }
        if (!told && o.maxChangedAt >= 0) {
            b.append("; ").append(maxChange(o, points, now));
        }
        String second = surge != null
                ? "rising " + rate(surge.slope()) + " over the last " + Math.round(surge.since() / 60) + " min"
                : second(o, points, fit, post, ex, outlook, season, now, flatStory);
        if (!second.isEmpty()) {
            b.append("; ").append(second);
        }
        return b.toString();
    }

    /** {@code reason}, and the newest change of the host's max when there was one. */
    static String withMaxChange(String reason, Observations o, List<CountPoint> points, Instant now) {
        return o.maxChangedAt < 0 ? reason : reason + "; " + maxChange(o, points, now);
    }

    /** "max raised 262144 → 524288 at 23:05": the values as sysctl takes them. */
    private static String maxChange(Observations o, List<CountPoint> points, Instant now) {
        return "max " + (o.maxAfter > o.maxBefore ? "raised " : "lowered ") + limits(o, points, now);
    }

    /** "262144 → 524288 at 23:05". */
    private static String limits(Observations o, List<CountPoint> points, Instant now) {
        return o.maxBefore + " → " + o.maxAfter + " at " + time(points.get(o.maxChangedAt).ts(), now);
    }

    /** The regime starts where a raise of max let out a table the kernel had clamped at the old max. */
    private static boolean raisedOffMax(Observations o, Regimes.Start start) {
        int at = o.raisedOffMax();
        return at >= 0 && Math.abs(start.from() - at) <= 1;
    }

    /** How far the fitted level moved at a regime's start (fill). */
    private static double jump(TrendFit fit, Regimes.Start s) {
        return s.from() == 0 ? 0 : Math.abs(fit.fitted[s.from()] - fit.fitted[s.from() - 1]);
    }

    /** The cycle's crest, or the bursts, or how far the noise swings: whichever explains the chance of filling. */
    private static String second(Observations o, List<CountPoint> points, TrendFit fit, TrendPosterior post,
            Excursions ex, Outlook outlook, double[] season, Instant now, boolean flatStory) {
        if (fit.seasonal != null) {
            double span = fit.seasonal.weekly() ? 7 * Observations.DAY : Observations.DAY;
            double slope = post.meanSlope / Observations.DAY;
            // The first time the projected path reaches max within one cycle; else the cycle's own crest
            // (the highest point of the cycle alone: with growth, the path's highest point is merely the
            // end of the span, which says nothing about when the crest comes).
            int crest = 0;
            int reaches = -1;
            double top = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < outlook.tau.length && outlook.tau[j] <= span; j++) {
                double mu = fit.level + slope * outlook.tau[j] + season[j];
                if (mu >= 1 && reaches < 0) {
                    reaches = j;
                }
                if (season[j] > top) {
                    top = season[j];
                    crest = j;
                }
            }
            String what = fit.seasonal.weekly() ? "weekly crest" : "daily crest";
            if (reaches >= 0) {
                return what + " reaches max at "
                        + time(now.plusSeconds((long) outlook.tau[reaches]), now, fit.seasonal.weekly());
            }
            double atCrest = fit.level + slope * outlook.tau[crest] + season[crest];
            return what + " " + percent(atCrest) + " at "
                    + time(now.plusSeconds((long) outlook.tau[crest]), now, fit.seasonal.weekly());
        }
        if (ex.bursts > 0) {
            return ex.bursts + (ex.bursts == 1 ? " burst" : " bursts") + " above the trend, " + highest(o, points, ex, now);
        }
        if (flatStory && outlook.pFull >= 0.05) {
            // Within a point of max, a swing under one reads "+0 points": its tenths, then.
            double swing = 100 * ex.typical(fit.level);
            String by = swing >= 0.95 ? percentNumber(swing / 100) : String.format(Locale.ROOT, "%.1f", swing);
            return by.equals("0.0") ? "" : "swings up to +" + by + " points";
        }
        return "";
    }

    /**
     * The highest burst as history shows it: its own peak and when, or how long it held the table
     * at max (the count is clamped there, so its height says nothing more).
     */
    private static String highest(Observations o, List<CountPoint> points, Excursions ex, Instant now) {
        int first = -1;
        int last = -1;
        for (int i = ex.highestFrom; i <= ex.highestTo; i++) {
            if (o.censored[i]) {
                first = first < 0 ? i : first;
                last = i;
            }
        }
        if (first < 0) {
            return "highest " + percent(o.peak[ex.highestAt]) + " at " + time(points.get(ex.highestAt).ts(), now);
        }
        if (first == last) {
            return "at max at " + time(points.get(first).ts(), now);
        }
        return "at max " + span(points.get(first).ts(), points.get(last).ts(), now);
    }

    /**
     * "08:10–09:00", with clock times when both are within {@link #time}'s 20 hours. Else the start
     * carries its date, and the end too when it is on another day: "01-06 22:10–06:30" would leave
     * the reader to guess which morning.
     */
    static String span(Instant from, Instant to, Instant now) {
        String a = time(from, now);
        String b = time(to, now);
        if (a.equals(CLOCK.format(from)) && b.equals(CLOCK.format(to))) {
            return a + "–" + b;
        }
        boolean sameDay = from.atZone(ZoneOffset.UTC).toLocalDate().equals(to.atZone(ZoneOffset.UTC).toLocalDate());
        return DATED.format(from) + "–" + (sameDay ? CLOCK : DATED).format(to);
    }

    static String time(Instant t, Instant now) {
        return time(t, now, false);
    }

    private static String time(Instant t, Instant now, boolean weekday) {
        if (weekday) {
            return t.atZone(ZoneOffset.UTC).getDayOfWeek().getDisplayName(java.time.format.TextStyle.SHORT, Locale.ROOT)
                    + " " + CLOCK.format(t);
        }
        return Duration.between(t, now).abs().compareTo(Duration.ofHours(20)) <= 0 ? CLOCK.format(t) : DATED.format(t);
    }

    /** A slope in fill per day as percent of max per hour, or per day when under 0.1 %/h. */
    static String rate(double perDay) {
        double perHour = perDay * 100 / 24;
        if (perHour >= 9.95) {
            return String.format(Locale.ROOT, "%.0f %%/h", perHour);
        }
        if (perHour >= 0.095) {
            return String.format(Locale.ROOT, "%.1f %%/h", perHour);
        }
        return String.format(Locale.ROOT, "%.1f %%/day", perDay * 100);
    }

    static String percent(double fill) {
        return percentNumber(fill) + " %";
    }

    static String percentNumber(double fill) {
        // A fitted level just after a table emptied (a failover, a reboot) can dip below zero; a
        // person reads "-2 %" or "-0 %" as a bug, not as the fit's rounding.
        double v = Math.max(0, fill) * 100;
        if (v >= 99.5 && v < 100) {
            // Rounded, a level just below max reads as full ("flat at 100 %" on a table at 99.7 %,
            // which refuses nothing yet): its tenths, cut so that they stay below 100.
            return String.format(Locale.ROOT, "%.1f", Math.floor(v * 10) / 10);
        }
        // What "%.0f" prints (half up), without a Formatter: every host's reason takes a few, and
        // they were about 3 % of the ranking. NaN and the far too large still go the long way.
        return v < 1e15 ? Long.toString(Math.round(v)) : String.format(Locale.ROOT, "%.0f", v);
    }
}
