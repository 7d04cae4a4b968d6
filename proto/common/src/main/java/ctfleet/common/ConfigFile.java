package ctfleet.common;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code --config FILE}: a properties file whose keys are the long flag names without the dashes
 * ({@code interval = 10s}). Flags on the command line override it. Unknown keys are an error, so a
 * typo in a config file managed by Ansible or Puppet is not silently ignored.
 */
public final class ConfigFile {
    private ConfigFile() {}

    /** Installs the file named by {@code --config} (if any) as {@code cl}'s default values. */
    public static void apply(CommandLine cl, String[] args) {
        Path file = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                file = Path.of(args[i + 1]);
            } else if (args[i].startsWith("--config=")) {
                file = Path.of(args[i].substring("--config=".length()));
            }
        }
        if (file == null) {
            return;
        }
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            props.load(r);
        } catch (NoSuchFileException e) {
            throw new CommandLine.ParameterException(cl, "--config: no such file: " + file);
        } catch (IOException e) {
            throw new CommandLine.ParameterException(cl, "--config: cannot read " + file + ": " + e.getMessage());
        }
        Set<String> known = new TreeSet<>();
        for (OptionSpec o : cl.getCommandSpec().options()) {
            known.add(o.longestName().replaceFirst("^--", ""));
        }
        known.remove("config");
        known.remove("help");
        known.remove("version");
        for (String key : props.stringPropertyNames()) {
            if (!known.contains(key)) {
                throw new CommandLine.ParameterException(cl, "--config " + file + ": unknown setting '" + key
                        + "' (known: " + String.join(", ", known) + ")");
            }
        }
        cl.setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider(props));
    }
}
