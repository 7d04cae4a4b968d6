package ctfleet.server.store;

/**
 * A store call failed because the database cannot work now (see {@link StoreFault}): callers
 * answer with the fault's sentence instead of logging each failure, which {@link DatabaseHealth}
 * has done once.
 */
public final class StoreUnavailable extends StoreException {
    private final transient StoreFault fault;

    public StoreUnavailable(StoreFault fault, Throwable cause) {
        super(fault.forCaller(), cause);
        this.fault = fault;
    }

    public StoreFault fault() {
        return fault;
    }
}
