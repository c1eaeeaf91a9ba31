package dev.baton.samples.scheduler;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * A service meant to run as several copies: the settlement job runs on whichever copy leads the
 * {@code settlement} election ({@link SettlementJob}), and {@code /locking} hands out Baton mutexes
 * for tasks ({@link LockingController}).
 *
 * <pre>
 * java -jar baton-sample-scheduler.jar --baton.connect=zookeeper://127.0.0.1:2181 \
 *     --server.port=8081 --sample.journal=/tmp/settlement.journal
 * </pre>
 */
@SpringBootApplication
@EnableScheduling
@ConfigurationPropertiesScan
public class SchedulerApplication {

    public static void main(String[] args) {
        SpringApplication.run(SchedulerApplication.class, args);
    }
}
