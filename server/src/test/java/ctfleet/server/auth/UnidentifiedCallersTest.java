package ctfleet.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ctfleet.proto.v1.AdminGrpc;
import ctfleet.proto.v1.BackupRequest;
import ctfleet.proto.v1.QueryGrpc;
import ctfleet.proto.v1.TopRequest;
import ctfleet.server.CtfleetServer;
import ctfleet.server.store.Database;
import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.ServerTransportFilter;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that identifies no callers (no client certificates, no tokens) trusts the callers on its
 * own machine with everything and callers from the network with everything but admin. The caller's
 * address is set by a transport filter, as the socket would set it, so the real interceptor and
 * services answer.
 */
class UnidentifiedCallersTest {
    @TempDir
    Path dir;

    final List<CtfleetServer> servers = new ArrayList<>();

    ManagedChannel serverSeenFrom(String address, String name) throws Exception {
        InProcessServerBuilder b = InProcessServerBuilder.forName(name);
        b.addTransportFilter(new ServerTransportFilter() {
            @Override
            public Attributes transportReady(Attributes attrs) {
                return attrs.toBuilder().set(Grpc.TRANSPORT_ATTR_REMOTE_ADDR, new InetSocketAddress(address, 40000))
                        .build();
            }
        });
        servers.add(new CtfleetServer(b, Database.open(dir.resolve(name)), Clock.systemUTC(),
                new Guard(ServerLimits.DEFAULTS, List.of(new AuthInterceptor(Optional.empty(), false)))).start());
        return InProcessChannelBuilder.forName(name).build();
    }

    @Test
    void aCallerFromTheNetworkMayReadButNotAdminister() throws Exception {
        ManagedChannel ch = serverSeenFrom("10.0.0.9", InProcessServerBuilder.generateName());
        try {
            QueryGrpc.newBlockingStub(ch).top(TopRequest.getDefaultInstance());
            var e = assertThrows(StatusRuntimeException.class,
                    () -> AdminGrpc.newBlockingStub(ch).backup(BackupRequest.getDefaultInstance()));
            assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
            assertEquals("an unidentified caller from 10.0.0.9 has roles agent and reader, which may not call"
                    + " ctfleet.v1.Admin/Backup (needs role admin; this server identifies no callers: give it"
                    + " --tls-client-ca with --client-roles, or --tokens)", e.getStatus().getDescription());
        } finally {
            ch.shutdownNow();
            for (CtfleetServer s : servers) {
                s.close();
            }
        }
    }

    @Test
    void aCallerOnTheServersOwnMachineMayDoEverything() throws Exception {
        ManagedChannel ch = serverSeenFrom("127.0.0.1", InProcessServerBuilder.generateName());
        try {
            QueryGrpc.newBlockingStub(ch).top(TopRequest.getDefaultInstance());
            assertTrue(AdminGrpc.newBlockingStub(ch).backup(BackupRequest.getDefaultInstance()).getBytes() > 0);
        } finally {
            ch.shutdownNow();
            for (CtfleetServer s : servers) {
                s.close();
            }
        }
    }
}
