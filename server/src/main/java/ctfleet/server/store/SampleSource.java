package ctfleet.server.store;

/** Where a stored sample came from; the code is what the {@code source} columns hold. */
public enum SampleSource {
    AGENT(0),
    IMPORT(1);

    public final short code;

    SampleSource(int code) {
        this.code = (short) code;
    }
}
