package ctfleet.common;

/** The version every part reports; Maven filters nothing here so it is kept in one place. */
public final class Version {
    public static final String VERSION = "0.1.0";

    private Version() {}
}
