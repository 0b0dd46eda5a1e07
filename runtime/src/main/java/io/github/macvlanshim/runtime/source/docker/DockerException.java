package io.github.macvlanshim.runtime.source.docker;

import io.github.macvlanshim.runtime.source.SourceException;

/** A call to the Docker (or Podman) API failed; {@link #status()} is the HTTP status, 0 when no answer came. */
public final class DockerException extends SourceException {

    private final int status;

    public DockerException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** Whether the engine answered that the thing asked for does not exist. */
    public boolean notFound() {
        return status == 404;
    }
}
