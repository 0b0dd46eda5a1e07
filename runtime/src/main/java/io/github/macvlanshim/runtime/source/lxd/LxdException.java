package io.github.macvlanshim.runtime.source.lxd;

import io.github.macvlanshim.runtime.source.unix.ApiException;

/** A call to the LXD (or Incus) API failed. */
public final class LxdException extends ApiException {

    public LxdException(String message, int status, Throwable cause) {
        super(message, status, cause);
    }
}
