package ctfleet.server.fleet;

/** Whether nf_conntrack was loaded on the host: without it there is no table to fill. */
public enum ConntrackModule {
    LOADED,
    NOT_LOADED
}
