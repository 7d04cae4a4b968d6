package ctfleet.sim;

import ctfleet.proto.v1.ServerMessage;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;

/** Sees every acknowledgement on its way to the shipper and tells the ledger; changes nothing it forwards. */
final class AckTap implements ClientInterceptor {
    private final AckLedger ledger;

    AckTap(AckLedger ledger) {
        this.ledger = ledger;
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
                super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                    @Override
                    public void onMessage(R message) {
                        if (message instanceof ServerMessage m && m.hasAck()) {
                            ledger.acked(m.getAck().getSeq(), m.getAck().getRejected());
                        }
                        super.onMessage(message);
                    }
                }, headers);
            }
        };
    }
}
