package ctfleet.agent.procfs;

import java.util.Optional;

/**
 * What one pass over {@code /proc/net/nf_conntrack} read.
 *
 * @param lines       lines read, parsed or not (a sample stops after its limit)
 * @param entries     lines that parsed
 * @param parseErrors lines that did not parse (counted and skipped)
 * @param wholeTable  true when the reader reached the end of the file, so the figures cover the
 *                    whole table rather than its head
 * @param firstError  the first rejected line's number and reason, for one log line; empty when none
 */
public record ReadSummary(long lines, long entries, long parseErrors, boolean wholeTable, Optional<String> firstError) {
}
