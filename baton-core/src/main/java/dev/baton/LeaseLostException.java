package dev.baton;

/** The lease was lost: another client may already hold the name. Carries the reason. */
public class LeaseLostException extends LeaseInvalidException {
    private static final long serialVersionUID = 1L;
    private final transient LeaseLoss loss;

    public LeaseLostException(String name, LeaseLoss loss) {
        super(name, LeaseState.LOST, "lease on \"" + name + "\" was lost: " + loss);
        this.loss = loss;
    }

    public LeaseLoss loss() {
        return loss;
    }
}
