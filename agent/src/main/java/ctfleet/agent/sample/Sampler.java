package ctfleet.agent.sample;

import ctfleet.agent.procfs.BytesPerEntry;
import ctfleet.agent.procfs.EntryTableReader;
import ctfleet.agent.procfs.MemInfo;
import ctfleet.agent.procfs.MeminfoParser;
import ctfleet.agent.procfs.ProcRoot;
import ctfleet.agent.procfs.ReadSummary;
import ctfleet.agent.procfs.Slabinfo;
import ctfleet.agent.procfs.StatTable;
import ctfleet.agent.procfs.StatTableParser;
import ctfleet.agent.procfs.SysctlReader;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One tick: reads a host's conntrack files under a {@link ProcRoot} into a {@link Reading}.
 *
 * <p>Entries are read from the head of {@code /proc/net/nf_conntrack} only ({@code sampleLines}):
 * the kernel lists them in hash-bucket order under a randomly keyed hash, so the head is close to a
 * uniform sample, at a cost that does not grow with the table (the whole of a 262k table costs
 * about 0.44 s of kernel time). A full scan every {@code fullScanEvery} gives exact figures.
 */
public final class Sampler implements ReadingSource {
    private final ProcRoot root;
    private final SysctlReader sysctls;
    private final Clock clock;
    private final int sampleLines;
    private final Duration fullScanEvery;
    private final EntryPrivacy privacy;
    private final EntryTableReader entryReader = new EntryTableReader();
    private Instant lastFullScan = Instant.MIN;
    private BytesPerEntry bytesPerEntry;

    public Sampler(ProcRoot root, Clock clock) {
        this(root, clock, 2000, Duration.ZERO);
    }

    /**
     * @param sampleLines   entry lines to read per tick; 0 reads none
     * @param fullScanEvery how often to read the whole table instead; zero means never
     */
    public Sampler(ProcRoot root, Clock clock, int sampleLines, Duration fullScanEvery) {
        this(root, clock, sampleLines, fullScanEvery, EntryPrivacy.DEFAULT);
    }

    /** @param privacy raw lines to send and whether addresses are masked ({@code --raw-lines}, {@code --mask-addresses}) */
    public Sampler(ProcRoot root, Clock clock, int sampleLines, Duration fullScanEvery, EntryPrivacy privacy) {
        this.privacy = privacy;
        this.root = root;
        this.sysctls = new SysctlReader(root);
        this.clock = clock;
        this.sampleLines = sampleLines;
        this.fullScanEvery = fullScanEvery;
    }

    @Override
    public Reading read() throws IOException {
        Instant ts = clock.instant();
        var limits = sysctls.limits();
        Optional<StatTable> stats = ProcRoot.readSmall(root.statTable()).map(StatTableParser::parse);
        var timeouts = sysctls.timeouts();
        String bootId = ProcRoot.readSmall(root.bootId()).map(String::trim).orElse("");
        Optional<EntrySample> entries = limits.isPresent() ? entries(ts) : Optional.empty();
        return new Reading(ts, limits, stats, timeouts, bootId, entries, bytesPerEntry(), memInfo());
    }

    /**
     * MemTotal, read every tick: it is a small file, and a VM's balloon driver or memory hotplug
     * changes it. Missing or unreadable is reported as unknown, never as a failed tick: the
     * conntrack figures matter more than the memory that bounds their plans.
     */
    private MemInfo memInfo() {
        try {
            return ProcRoot.readSmall(root.meminfo()).map(MeminfoParser::parse).orElse(MemInfo.MISSING);
        } catch (IOException unreadable) {
            return MemInfo.MISSING;
        }
    }

    private Optional<EntrySample> entries(Instant now) throws IOException {
        boolean full = !fullScanEvery.isZero() && !now.isBefore(lastFullScan.plus(fullScanEvery));
        if (!full && sampleLines <= 0) {
            return Optional.empty();
        }
        EntryAggregator agg = new EntryAggregator(EntryAggregator.DEFAULT_TOP_K, privacy);
        ReadSummary read;
        try {
            read = full ? entryReader.fullScan(root.entryTable(), agg)
                    : entryReader.sample(root.entryTable(), sampleLines, agg);
        } catch (NoSuchFileException e) {
            return Optional.empty(); // nf_conntrack without the procfs table (CONFIG_NF_CONNTRACK_PROCFS=n)
        } catch (IOException unreadable) {
            // /proc/net/nf_conntrack is 0440 root: an unprivileged agent still reports every figure the
            // ranking needs, only without the breakdown of what fills the table.
            return Optional.empty();
        }
        if (full) {
            lastFullScan = now;
        }
        return Optional.of(agg.result(read));
    }

    /** slabinfo's object size never changes while the module is loaded: read it once it is readable. */
    private BytesPerEntry bytesPerEntry() {
        if (bytesPerEntry != null && !bytesPerEntry.estimated()) {
            return bytesPerEntry;
        }
        Optional<String> text;
        try {
            text = ProcRoot.readSmall(root.slabinfo());
        } catch (IOException unreadable) {
            text = Optional.empty(); // /proc/slabinfo is 0400 root: an unprivileged agent estimates
        }
        bytesPerEntry = Slabinfo.bytesPerEntry(text);
        return bytesPerEntry;
    }

    /** The kernel release, for the hello; empty when the root has none (a fixture copy). */
    public String kernel() throws IOException {
        return ProcRoot.readSmall(root.osRelease()).map(String::trim).orElse("");
    }
}
