package io.github.macvlanshim.runtime.source.lxd;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

/**
 * Reports each distinct problem once: the LXD source polls the same bad data again and again, and one line
 * per problem is enough. Remembers a bounded number of problems, forgetting the oldest first.
 */
public final class ProblemLog {

    private static final Logger LOG = Logger.getLogger(ProblemLog.class);
    private static final int REMEMBERED = 1024;

    private final Consumer<String> sink;
    private final Set<String> seen = Collections.newSetFromMap(new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    });

    public ProblemLog(Consumer<String> sink) {
        this.sink = sink;
    }

    /** Problems go to the log at WARN. */
    public static ProblemLog warnings() {
        return new ProblemLog(LOG::warn);
    }

    /** Reports {@code message} unless it was already reported. */
    public void report(String message) {
        boolean first;
        synchronized (seen) {
            first = seen.add(message);
        }
        if (first) {
            sink.accept(message);
        }
    }
}
