package io.github.macvlanshim.runtime.source.lxd;

import io.github.macvlanshim.runtime.source.SourceException;

/** A call to the LXD API failed; {@link #status()} is the HTTP status, 0 when no answer came. */
public final class LxdException extends SourceException {

    private final int status;

    public LxdException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** Whether LXD answered that the thing asked for does not exist. */
    public boolean notFound() {
        return status == 404;
    }
}
