package dev.baton.spi;

/** What one renewal round learnt about one grant. <b>Internal.</b> */
public enum Renewal {
    /** The engine still holds the grant: the lease's deadline moves to the round's send time. */
    CONFIRMED,
    /** The engine no longer holds it: the lease is lost (GRANT_GONE). */
    GONE,
    /** No answer that decides (some Redlock masters silent): the lease is in doubt this round. */
    UNDECIDED
}
