package dev.baton.spring.boot;

/** What the health indicators read to learn whether the engine answers. */
final class HealthProbe {
    /** A name no application uses: reading it costs one round trip and holds nothing. */
    static final String NAME = "baton-health/probe";

    private HealthProbe() {}
}
