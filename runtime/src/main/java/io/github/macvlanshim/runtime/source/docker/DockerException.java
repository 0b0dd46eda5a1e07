package io.github.macvlanshim.runtime.source.docker;

import io.github.macvlanshim.runtime.source.unix.ApiException;

/** A call to the Docker (or Podman) API failed. */
public final class DockerException extends ApiException {

    public DockerException(String message, int status, Throwable cause) {
        super(message, status, cause);
    }
}
