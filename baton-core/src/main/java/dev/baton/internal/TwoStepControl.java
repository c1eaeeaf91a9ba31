package dev.baton.internal;

import dev.baton.MonitorCondition;

/**
 * The broken monitor wait, kept as a control: it releases the monitor and joins the condition's
 * wait queue in two separate requests instead of one atomic step, so a signal sent in the gap finds
 * no waiter and is lost. The contract suite and {@code baton verify --workload buffer} use it to
 * show that their checks catch a lost wake-up. <b>Never use it in a program.</b>
 */
public final class TwoStepControl {
    private TwoStepControl() {}

    /**
     * The same condition with the two-step await; {@code betweenSteps} runs in the gap (a test uses
     * it to let a signal through deterministically; {@code null} for none).
     */
    public static MonitorCondition twoStep(MonitorCondition condition, Runnable betweenSteps) {
        if (!(condition instanceof ConditionImpl c)) {
            throw new IllegalArgumentException("not a Baton condition: " + condition);
        }
        return c.twoStep(betweenSteps);
    }
}
