package ctfleet.server.ingest;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import ctfleet.proto.v1.AgentMessage;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Bytes that are not an {@link AgentMessage} become a marked message the collector refuses with
 * INVALID_ARGUMENT, like any other bad input.
 *
 * <p>Why: grpc-java lets a request marshaller's parse failure escape as an application error: the
 * agent gets UNKNOWN "Application error processing RPC" and the server logs a SEVERE stack trace for
 * every malformed message, so a hostile client could fill the operator's log at line rate.
 */
public final class LenientParsing {
    // The highest legal field number: never used by the contract.
    private static final int MARK_FIELD = 536_870_911;
    private static final MethodDescriptor.Marshaller<AgentMessage> STRICT =
            ProtoUtils.marshaller(AgentMessage.getDefaultInstance());

    private LenientParsing() {}

    static final MethodDescriptor.Marshaller<AgentMessage> MARSHALLER = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(AgentMessage value) {
            return STRICT.stream(value);
        }

        @Override
        public AgentMessage parse(InputStream stream) {
            try {
                return STRICT.parse(stream);
            } catch (StatusRuntimeException e) {
                Throwable why = e.getCause() != null ? e.getCause() : e;
                String reason = String.valueOf(why.getMessage()).split("\\. ")[0];
                return AgentMessage.newBuilder().setUnknownFields(UnknownFieldSet.newBuilder()
                        .addField(MARK_FIELD, UnknownFieldSet.Field.newBuilder()
                                .addLengthDelimited(ByteString.copyFrom(reason, StandardCharsets.UTF_8)).build())
                        .build()).build();
            }
        }
    };

    /** The collector's service with the lenient request marshaller on every method taking AgentMessage. */
    @SuppressWarnings("unchecked")
    public static ServerServiceDefinition wrap(ServerServiceDefinition service) {
        io.grpc.ServiceDescriptor original = service.getServiceDescriptor();
        java.util.List<ServerMethodDefinition<?, ?>> methods = new java.util.ArrayList<>();
        for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
            methods.add(lenient(m));
        }
        // Keep the schema descriptor: server reflection (grpcurl) finds the service through it.
        io.grpc.ServiceDescriptor.Builder descriptor = io.grpc.ServiceDescriptor.newBuilder(original.getName())
                .setSchemaDescriptor(original.getSchemaDescriptor());
        methods.forEach(m -> descriptor.addMethod(m.getMethodDescriptor()));
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(b::addMethod);
        return b.build();
    }

    @SuppressWarnings("unchecked")
    private static <Q, R> ServerMethodDefinition<Q, R> lenient(ServerMethodDefinition<Q, R> m) {
        MethodDescriptor<Q, R> d = m.getMethodDescriptor();
        if (!(d.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<?> p)
                || !(p.getMessagePrototype() instanceof AgentMessage)) {
            return m;
        }
        MethodDescriptor<Q, R> relaxed = d.toBuilder()
                .setRequestMarshaller((MethodDescriptor.Marshaller<Q>) MARSHALLER).build();
        return ServerMethodDefinition.create(relaxed, m.getServerCallHandler());
    }

    /** Why the bytes of this message did not parse; empty for a real message. */
    static Optional<String> unparsable(AgentMessage m) {
        UnknownFieldSet.Field f = m.getUnknownFields().getField(MARK_FIELD);
        if (f == null || f.getLengthDelimitedList().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(f.getLengthDelimitedList().get(0).toStringUtf8());
    }
}
