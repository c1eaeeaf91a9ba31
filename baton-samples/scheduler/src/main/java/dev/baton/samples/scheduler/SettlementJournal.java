package dev.baton.samples.scheduler;

import dev.baton.FencedLease;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.springframework.stereotype.Component;

/**
 * The settlement journal: one line per event, {@code <event> <token> <pid>}, appended by whichever
 * copy of the service leads. Each line is one write to a file opened for append, so lines from
 * several processes never tear or interleave.
 *
 * <p>The lease is checked just before each write: a copy that resumes after a pause longer than its
 * lease (a stop-the-world GC, a frozen VM) finds its lease lost and writes nothing more. The check
 * narrows the window to the microseconds between it and the write; closing it entirely takes a
 * resource that compares fencing tokens itself, which an append-only file cannot.
 */
@Component
public class SettlementJournal {
    private final Path file;
    private final long pid = ProcessHandle.current().pid();

    public SettlementJournal(SampleProperties properties) {
        this.file = properties.journal();
    }

    /**
     * Appends {@code <event> <token> <pid>} if {@code lease} is still valid.
     *
     * @throws dev.baton.LeaseInvalidException if the lease is lost or in doubt: nothing is written
     */
    public void append(String event, FencedLease lease) {
        lease.ensureValid();
        byte[] line =
                (event + " " + lease.fencingToken() + " " + pid + "\n")
                        .getBytes(StandardCharsets.US_ASCII);
        try {
            Files.write(file, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the journal " + file, e);
        }
    }

    public Path file() {
        return file;
    }
}
