package ctfleet.cli;

/** The {@code --format} choices; picocli rejects anything else with usage and exit 2. */
public enum OutputFormat { table, json, csv }
