package ctfleet.agent.procfs;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Locates the fixture procfs roots under src/test/resources/proc. */
public final class Fixtures {

    private Fixtures() {
    }

    public static Path proc(String caseName) {
        URL url = Fixtures.class.getResource("/proc/" + caseName);
        if (url == null) {
            throw new IllegalArgumentException("no fixture proc/" + caseName);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path entryTable(String caseName) {
        return proc(caseName).resolve("net/nf_conntrack");
    }
}
