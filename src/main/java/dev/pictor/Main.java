package dev.pictor;

import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs one Pictor node configured from environment variables; stops gracefully on SIGTERM / Ctrl-C. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if ("json".equalsIgnoreCase(System.getenv("PICTOR_LOG_FORMAT")) && System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "logback-json.xml");
        }
        Logger log = LoggerFactory.getLogger(Main.class);
        Settings settings;
        try {
            settings = Settings.fromEnvironment(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("pictor: " + e.getMessage());
            System.exit(2);
            return;
        }
        Pictor pictor;
        try {
            pictor = Pictor.start(settings, Clock.systemUTC(), System.out);
        } catch (IllegalArgumentException e) {
            // A configuration mistake found while wiring (PICTOR_ROUTES, half an upstream's credentials): say it plainly.
            System.err.println("pictor: " + e.getMessage());
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("shutting down: not ready for {}, then finishing running tasks for up to {}", settings.server().shutdownDrain(),
                    settings.tasks().shutdownGrace());
            pictor.drainAndClose();
            log.info("stopped");
        }, "pictor-shutdown"));
    }
}
