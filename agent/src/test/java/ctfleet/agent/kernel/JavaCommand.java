package ctfleet.agent.kernel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Command line that starts a main class from this test run's own classpath in a fresh JVM.
 *
 * <p>The JVM cannot move itself into a network namespace (setns is per thread and the JVM has
 * many), so code that must see a namespace's /proc runs as a child under {@code ip netns exec}.
 * Surefire may hand us a manifest-only booter jar as java.class.path; {@code -cp} follows its
 * Class-Path manifest entry just the same.
 */
public final class JavaCommand {

    private JavaCommand() {
    }

    public static List<String> of(String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // Small heap and serial GC: these children share two cores with the test JVM.
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        return command;
    }
}
