package dev.baton.samples.scheduler;

import dev.baton.LeaseLostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.task.ThreadPoolTaskSchedulerCustomizer;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.scheduling.support.TaskUtils;
import org.springframework.stereotype.Component;

/**
 * A run stopped because leadership was lost is part of failing over, not an error: one warning line
 * instead of a stack trace. Anything else a scheduled run throws is logged as Spring logs it, for
 * the run at election ({@link SettleWhenElected}) too.
 */
@Component
public class LostLeadershipLogging implements ThreadPoolTaskSchedulerCustomizer {
    private static final Logger log = LoggerFactory.getLogger(LostLeadershipLogging.class);

    @Override
    public void customize(ThreadPoolTaskScheduler scheduler) {
        scheduler.setErrorHandler(
                failure -> {
                    if (failure instanceof LeaseLostException lost) {
                        log.warn("run stopped: {}", lost.getMessage());
                    } else {
                        TaskUtils.LOG_AND_SUPPRESS_ERROR_HANDLER.handleError(failure);
                    }
                });
    }
}
