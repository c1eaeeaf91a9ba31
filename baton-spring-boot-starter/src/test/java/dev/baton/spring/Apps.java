package dev.baton.spring;

import java.util.UUID;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts whole Boot applications for tests, with every auto-configuration on the class path, as an
 * application would (no list of auto-configuration classes, whose packages moved in Boot 4).
 */
public final class Apps {
    private Apps() {}

    /**
     * The test class path has JDBC (for the transaction test); other applications have no database
     * to point it at. Boot 4 and Boot 3 name the auto-configuration differently; an absent name is
     * ignored.
     */
    private static final String NO_DATABASE =
            "spring.autoconfigure.exclude="
                    + "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration,"
                    + "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration";

    /** A fresh mem engine name, so that tests never share engine state. */
    public static String memUri() {
        return "mem:test-" + UUID.randomUUID();
    }

    /** A non-web application without a database. */
    public static ConfigurableApplicationContext start(Class<?> app, String... properties) {
        return builder(app, WebApplicationType.NONE)
                .properties(NO_DATABASE)
                .properties(properties)
                .run();
    }

    /** A non-web application whose properties configure a database. */
    public static ConfigurableApplicationContext startWithDatabase(
            Class<?> app, String... properties) {
        return builder(app, WebApplicationType.NONE).properties(properties).run();
    }

    /** A web application on a free loopback port, without a database. */
    public static ConfigurableApplicationContext startWeb(Class<?> app, String... properties) {
        return builder(app, WebApplicationType.SERVLET)
                .properties(NO_DATABASE, "server.port=0", "server.address=127.0.0.1")
                .properties(properties)
                .run();
    }

    private static SpringApplicationBuilder builder(Class<?> app, WebApplicationType type) {
        return new SpringApplicationBuilder(app)
                .web(type)
                .bannerMode(Banner.Mode.OFF)
                .logStartupInfo(false);
    }
}
