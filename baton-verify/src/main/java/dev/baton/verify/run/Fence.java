package dev.baton.verify.run;

/**
 * The storage-side fencing check of one fenced resource (Kleppmann's): it refuses a token lower
 * than the highest it has admitted, and an equal token from a different holder; an admitted request
 * raises the highest token. A token of {@code -1} (a grant without one: Redlock) is refused, since
 * nothing can be checked. Not thread-safe: its owner guards it with the resource's lock.
 */
final class Fence {
    private long highestToken = -1;
    private String highestHolder;

    /**
     * Admits the request of {@code holder} with {@code token}, or returns the refusal reply ({@code
     * REJECT highestToken highestHolder}) and changes nothing.
     */
    String admit(long token, String holder) {
        boolean stale =
                token < 0
                        || token < highestToken
                        || (token == highestToken && !holder.equals(highestHolder));
        if (stale) {
            return "REJECT " + highestToken + " " + highestHolder;
        }
        highestToken = token;
        highestHolder = holder;
        return null;
    }
}
