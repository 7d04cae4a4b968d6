package ctfleet.server.fleet;

/** A host's one-word verdict, as the CLI prints it ({@link #wireName()}). */
public enum Status {
    OK("ok"),
    WARN("warn"),
    CRIT("crit"),
    DROPPING("dropping"),
    STALE("stale"),
    CLOCK_SKEW("clock-skew"),
    UNLIMITED("unlimited"),
    NO_CONNTRACK("no-conntrack");

    private final String wireName;

    Status(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Whether an operator should look at the host now: the "flag" the benchmark times. */
    public boolean flagged() {
        return this == WARN || this == CRIT || this == DROPPING;
    }
}
