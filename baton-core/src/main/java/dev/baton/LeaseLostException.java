package dev.baton;

/** The lease was lost: another client may already hold the name. Carries the reason. */
public class LeaseLostException extends LeaseInvalidException {
    private static final long serialVersionUID = 1L;
    private final transient LeaseLoss loss;

    /**
     * Creates the exception.
     *
     * @param name the lease's name
     * @param loss why and when it was lost
     */
    public LeaseLostException(String name, LeaseLoss loss) {
        super(name, LeaseState.LOST, "lease on \"" + name + "\" was lost: " + loss);
        this.loss = loss;
    }

    /**
     * Why and when the lease was lost.
     *
     * @return the loss (not serialized: null after deserialization)
     */
    public LeaseLoss loss() {
        return loss;
    }
}
