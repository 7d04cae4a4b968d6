package ctfleet.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ctfleet.server.fleet.BootChange;
import ctfleet.server.fleet.CounterIncrease;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RollupJobTest {
    static final long T0 = 1_760_000_000_000L - 1_760_000_000_000L % Rollups.HOUR;

    @TempDir
    Path dir;

    Database db;
    Fleet fleet;
    RollupJob job;

    @BeforeEach
    void open() throws Exception {
        db = Database.open(dir);
        fleet = new Fleet(db);
        job = new RollupJob(db, fleet.backlog, Retention.DEFAULT);
    }

    @AfterEach
    void close() {
        db.close();
    }

    /** 2.5 hours of one host at ~10 s, with a 32-bit wrap of the drop counter and a reboot in between. */
    static List<SampleRow> history(long seed) {
        Random r = new Random(seed);
        List<SampleRow> rows = new ArrayList<>();
        long drop = (1L << 32) - 5_000;
        long early = 0;
        String boot = "boot-a";
        for (int i = 0; i < 900; i++) {
            long ts = T0 + i * 10_000L + r.nextInt(3000);
            if (i == 400) {
                boot = "boot-b"; // reboot: counters restart near zero
                drop = r.nextInt(10);
                early = 0;
            } else {
                drop = (drop + r.nextInt(50)) % (1L << 32); // wraps once early on
                early += r.nextInt(3);
            }
            rows.add(Fleet.row(ts, 1000 + r.nextInt(60_000), i < 600 ? 65_536 : 131_072, boot, drop, early,
                    r.nextInt(2), i));
        }
        return rows;
    }

    /** What a minute or hour must hold, computed straight from the raw rows. */
    record Expected(long ts, int n, long min, long max, long sum, long maxMax, long drop, long early, long failed,
                    long invalid, long lastTs) {}

    static Map<Long, Expected> aggregate(List<SampleRow> rows, long bucket) {
        Map<Long, Expected> out = new TreeMap<>();
        SampleRow prev = null;
        for (SampleRow r : rows) {
            long b = Math.floorDiv(r.ts(), bucket) * bucket;
            BootChange reboot = prev == null ? BootChange.SAME : BootChange.between(prev.bootId(), r.bootId());
            long[] inc = new long[4];
            String[] names = {"drop", "early_drop", "insert_failed", "invalid"};
            for (int k = 0; k < 4; k++) {
                inc[k] = prev == null ? 0 : CounterIncrease.between(prev.stat(names[k]), r.stat(names[k]), reboot);
            }
            Expected e = out.get(b);
            out.put(b, e == null
                    ? new Expected(b, 1, r.count(), r.count(), r.count(), r.max(), inc[0], inc[1], inc[2], inc[3], r.ts())
                    : new Expected(b, e.n + 1, Math.min(e.min, r.count()), Math.max(e.max, r.count()),
                            e.sum + r.count(), Math.max(e.maxMax, r.max()), e.drop + inc[0], e.early + inc[1],
                            e.failed + inc[2], e.invalid + inc[3], r.ts()));
            prev = r;
        }
        return out;
    }

    Map<Long, Expected> stored(String table, long host) throws Exception {
        Map<Long, Expected> out = new TreeMap<>();
        try (var c = db.connect(); var q = c.prepareStatement("SELECT ts, n, count_min, count_max, count_sum, max_max,"
                + " drop_inc, early_drop_inc, insert_failed_inc, invalid_inc, last_ts FROM " + table
                + " WHERE host_ref = ? ORDER BY ts")) {
            q.setLong(1, host);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getLong(1), new Expected(rs.getLong(1), rs.getInt(2), rs.getLong(3), rs.getLong(4),
                            rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getLong(10),
                            rs.getLong(11)));
                }
            }
        }
        return out;
    }

    @Test
    void rollupsEqualAggregatesComputedFromRawRowsAcrossAWrapAndAReboot() throws Exception {
        long a = fleet.host("gw-a");
        long b = fleet.host("gw-b");
        List<SampleRow> ha = history(1);
        List<SampleRow> hb = history(2);
        for (int i = 0; i < ha.size(); i += 50) {
            fleet.write(a, ha.subList(i, Math.min(ha.size(), i + 50)).toArray(SampleRow[]::new));
            fleet.write(b, hb.subList(i, Math.min(hb.size(), i + 50)).toArray(SampleRow[]::new));
        }
        long now = T0 + 3 * Rollups.HOUR;
        job.run(now);

        assertEquals(aggregate(ha, Rollups.MINUTE), stored("samples_1m", a));
        assertEquals(aggregate(hb, Rollups.MINUTE), stored("samples_1m", b));
        assertEquals(aggregate(ha, Rollups.HOUR), stored("samples_1h", a));
        assertEquals(aggregate(hb, Rollups.HOUR), stored("samples_1h", b));
        long totalDrops = aggregate(ha, Rollups.HOUR).values().stream().mapToLong(Expected::drop).sum();
        assertEquals(totalDrops, fleet.count("SELECT SUM(drop_inc) FROM samples_1m WHERE host_ref = " + a));
    }

    @Test
    void moreHostsThanOneCommitGroupAreAllRolledUpOnce() throws Exception {
        int hosts = RollupJob.HOSTS_PER_COMMIT * 2 + 7;
        long[] refs = new long[hosts];
        for (int h = 0; h < hosts; h++) {
            refs[h] = fleet.host("gw-" + h);
            fleet.write(refs[h], Fleet.row(T0 + 1_000, h, 100, "b", 0, 0, 0, 0),
                    Fleet.row(T0 + 61_000, h + 1, 100, "b", 3, 0, 0, 0));
        }
        RollupJob.Result first = job.run(T0 + 2 * Rollups.MINUTE);
        assertEquals(hosts, first.hosts());
        assertEquals(2L * hosts, fleet.count("SELECT COUNT(*) FROM samples_1m"));
        assertEquals(3L * hosts, fleet.count("SELECT SUM(drop_inc) FROM samples_1h"));

        // A late sample of a host in the last group: only its minute is redone, nothing twice.
        fleet.write(refs[hosts - 1], Fleet.row(T0 + 30_000, 99, 100, "b", 1, 0, 0, 0));
        RollupJob.Result second = job.run(T0 + 2 * Rollups.MINUTE);
        assertEquals(1, second.hosts());
        assertEquals(2L * hosts, fleet.count("SELECT COUNT(*) FROM samples_1m"));
        assertEquals(2L * hosts + 1, fleet.count("SELECT SUM(n) FROM samples_1m"));
        assertEquals(3L * hosts, fleet.count("SELECT SUM(drop_inc) FROM samples_1h"));
    }

    @Test
    void runningAgainDoesNotCountTwice() throws Exception {
        long a = fleet.host("gw-a");
        fleet.write(a, history(3).toArray(SampleRow[]::new));
        long now = T0 + 3 * Rollups.HOUR;
        job.run(now);
        var first = stored("samples_1m", a);
        new RollupJob(db, new RollupBacklog(), Retention.DEFAULT).run(now); // a restarted server
        job.run(now);
        assertEquals(first, stored("samples_1m", a));
        assertEquals(aggregate(history(3), Rollups.HOUR), stored("samples_1h", a));
    }

    @Test
    void onlyClosedMinutesAreRolledUpAndTheOpenOneFollowsLater() throws Exception {
        long a = fleet.host("gw-a");
        fleet.write(a, Fleet.row(T0 + 5_000, 10, 100, "b", 0, 0, 0, 0), Fleet.row(T0 + 65_000, 20, 100, "b", 4, 0, 0, 0));
        job.run(T0 + 70_000);
        assertEquals(1, fleet.count("SELECT COUNT(*) FROM samples_1m"));
        job.run(T0 + 120_000);
        assertEquals(2, fleet.count("SELECT COUNT(*) FROM samples_1m"));
        assertEquals(4, fleet.count("SELECT drop_inc FROM samples_1m WHERE ts = " + (T0 + 60_000)));
    }

    @Test
    void aLateSampleForAClosedMinuteEndsUpInItsRollup() throws Exception {
        long a = fleet.host("gw-a");
        List<SampleRow> h = new ArrayList<>(history(4));
        SampleRow late = h.remove(100); // arrives long after its minute closed
        fleet.write(a, h.toArray(SampleRow[]::new));
        long now = T0 + 3 * Rollups.HOUR;
        job.run(now);
        fleet.write(a, late);
        job.run(now + 30_000);
        assertEquals(aggregate(history(4), Rollups.MINUTE), stored("samples_1m", a));
        assertEquals(aggregate(history(4), Rollups.HOUR), stored("samples_1h", a));
    }
}
