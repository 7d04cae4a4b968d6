package ctfleet.agent.procfs;

import java.util.OptionalLong;

/**
 * What the agent takes from {@code /proc/meminfo}: the host's {@code MemTotal}, which bounds what a
 * capacity plan may ask the kernel to reserve for conntrack.
 *
 * @param memTotalBytes MemTotal in bytes; empty when the file is missing or its MemTotal line is
 *                      absent or malformed
 * @param parseErrors   lines that did not parse and were skipped (a malformed MemTotal line counts)
 */
public record MemInfo(OptionalLong memTotalBytes, int parseErrors) {
    /** No meminfo file under the procfs root (a fixture copy without one, or an unreadable file). */
    public static final MemInfo MISSING = new MemInfo(OptionalLong.empty(), 0);
}
