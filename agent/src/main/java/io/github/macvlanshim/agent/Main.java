package io.github.macvlanshim.agent;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The agent's entry point, in the JVM jar and in a native binary alike. With no argument it runs the agent;
 * {@code status} and {@code routes} are the operator's command ({@link StatusCommand}), answered before Quarkus
 * starts: asking must never start a second engine on the host's shims.
 */
@QuarkusMain
public class Main {

    public static void main(String... args) {
        if (StatusCommand.handles(args)) {
            System.exit(StatusCommand.run(args, System.out, System.err, System.getenv()));
        }
        Quarkus.run(Agent.class, args);
    }
}
