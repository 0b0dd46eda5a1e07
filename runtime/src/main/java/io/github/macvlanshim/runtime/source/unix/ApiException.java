package io.github.macvlanshim.runtime.source.unix;

import io.github.macvlanshim.runtime.source.SourceException;

/** A call to a daemon's API on its unix socket failed; {@link #status()} is the HTTP status, 0 when no answer came. */
public abstract class ApiException extends SourceException {

    private final int status;

    protected ApiException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** Whether the daemon answered that the thing asked for does not exist. */
    public boolean notFound() {
        return status == 404;
    }
}
