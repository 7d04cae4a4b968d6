package ctfleet.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostStoreTest {
    @TempDir
    Path dir;

    @Test
    void identicalHelloFromAReconnectingAgentIsNotWrittenAgain() throws Exception {
        try (Database db = Database.open(dir)) {
            HostStore hosts = new HostStore(db);
            HostHello h = new HostHello("gw-1", Map.of("dc", "fra1"), "6.1", "0.1", 0);
            long ref = hosts.hello(h, 1000);
            exec(db, "UPDATE hosts SET kernel = 'marker'");
            assertEquals(ref, hosts.hello(h, 2000));
            assertEquals("marker", kernel(db), "the repeat hello did not touch the database");
            hosts.hello(new HostHello("gw-1", Map.of("dc", "fra1"), "6.2", "0.1", 0), 3000);
            assertEquals("6.2", kernel(db), "a changed hello is written");
        }
    }

    @Test
    void droppedSampleCountsAreAlwaysAddedUp() throws Exception {
        try (Database db = Database.open(dir)) {
            HostStore hosts = new HostStore(db);
            hosts.hello(new HostHello("gw-1", Map.of(), "6.1", "0.1", 5), 1000);
            hosts.hello(new HostHello("gw-1", Map.of(), "6.1", "0.1", 7), 2000);
            hosts.hello(new HostHello("gw-1", Map.of(), "6.1", "0.1", 0), 3000);
            try (var c = db.connect(); var st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT dropped_samples FROM hosts")) {
                rs.next();
                assertEquals(12, rs.getLong(1));
            }
        }
    }

    static void exec(Database db, String sql) throws Exception {
        try (var c = db.connect(); var st = c.createStatement()) {
            st.execute(sql);
        }
    }

    static String kernel(Database db) throws Exception {
        try (var c = db.connect(); var st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT kernel FROM hosts")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
