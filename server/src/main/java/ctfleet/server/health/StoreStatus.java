package ctfleet.server.health;

import ctfleet.server.store.StoreFault;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * A store fault as a call's answer: UNAVAILABLE (the caller may retry: an agent keeps its samples
 * spooled) with the reason, and a trailer naming the fault so that the CLI can say "the server's
 * database is unavailable" rather than "cannot reach the server" (both are UNAVAILABLE).
 */
public final class StoreStatus {
    /** The trailer a store fault carries; its value is {@link StoreFault.Kind#wireName()}. */
    public static final Metadata.Key<String> FAULT = Metadata.Key.of("ctfleet-store-fault", Metadata.ASCII_STRING_MARSHALLER);

    private StoreStatus() {
    }

    public static StatusRuntimeException of(StoreFault fault) {
        Metadata trailers = new Metadata();
        trailers.put(FAULT, fault.kind().wireName());
        return Status.UNAVAILABLE.withDescription(fault.forCaller()).asRuntimeException(trailers);
    }
}
