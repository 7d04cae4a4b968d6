package ctfleet.server.store;

import java.sql.SQLException;

/**
 * A connection refused because the file is known to be damaged: raised inside the store's JDBC
 * code, where everything is an {@link SQLException}, and turned into {@link StoreUnavailable} where
 * a store call returns ({@link DatabaseHealth#failed(SQLException)}).
 */
final class Unusable extends SQLException {
    private final transient StoreFault fault;

    Unusable(StoreFault fault) {
        super(fault.forCaller(), "08006");
        this.fault = fault;
    }

    StoreFault fault() {
        return fault;
    }
}
