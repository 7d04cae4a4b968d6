package ctfleet.agent.sample;

/**
 * What of the entry table may leave the host beyond counts. Raw lines show the addresses and ports
 * of a gateway's clients and the services they reach, which for many teams is personal data: the
 * agent sends none unless told to ({@code --raw-lines N}). {@code --mask-addresses} cuts the
 * addresses of the top lists and of any raw lines to their networks (IPv4 /24, IPv6 /48).
 *
 * @param rawLines      entry lines sent verbatim per sample, 0 to {@value EntryAggregator#MAX_RAW_LINES}
 * @param maskAddresses cut addresses to their networks before they are counted and sent
 */
public record EntryPrivacy(int rawLines, boolean maskAddresses) {
    public static final EntryPrivacy DEFAULT = new EntryPrivacy(0, false);

    public EntryPrivacy {
        if (rawLines < 0 || rawLines > EntryAggregator.MAX_RAW_LINES) {
            throw new IllegalArgumentException("--raw-lines must be 0 to " + EntryAggregator.MAX_RAW_LINES
                    + " (the server keeps at most " + EntryAggregator.MAX_RAW_LINES + " per sample), got " + rawLines);
        }
    }
}
