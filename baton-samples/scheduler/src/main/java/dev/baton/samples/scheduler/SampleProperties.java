package dev.baton.samples.scheduler;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code sample.*} properties.
 *
 * @param journal the file every copy of the service appends its settlement runs to (shared by the
 *     copies, opened for append on each line)
 * @param work how long one settlement run works between its {@code start} and {@code end} lines
 */
@ConfigurationProperties("sample")
public record SampleProperties(
        @DefaultValue("settlement.journal") Path journal, @DefaultValue("200ms") Duration work) {}
