package dev.baton.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * {@code --connect} and {@code --connect-timeout}, shared by the commands that talk to an engine.
 */
final class ConnectOptions {
    @Option(
            names = "--connect",
            paramLabel = "URI",
            description = "Engine URI (default: $BATON_CONNECT; required).")
    String connect;

    @Option(
            names = "--connect-timeout",
            paramLabel = "DURATION",
            converter = Durations.class,
            defaultValue = "5s",
            description = "How long connecting may take (default: ${DEFAULT-VALUE}).")
    Duration connectTimeout;
}
