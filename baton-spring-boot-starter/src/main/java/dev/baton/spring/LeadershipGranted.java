package dev.baton.spring;

import dev.baton.FencedLease;

/**
 * Published (as a Spring application event) when this instance becomes the leader of {@code
 * election}; {@code leadership} is the lease it leads under (its token orders the terms).
 */
public record LeadershipGranted(String election, FencedLease leadership) {}
