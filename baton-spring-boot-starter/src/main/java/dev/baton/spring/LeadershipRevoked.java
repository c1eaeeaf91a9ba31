package dev.baton.spring;

/**
 * Published (as a Spring application event) when this instance stops leading {@code election}: its
 * lease was lost, or the application is stopping. {@code token} is the fencing token of the term
 * that ended.
 */
public record LeadershipRevoked(String election, long token) {}
