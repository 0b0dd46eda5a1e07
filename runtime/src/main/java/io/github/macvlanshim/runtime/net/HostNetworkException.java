package io.github.macvlanshim.runtime.net;

/** Reading or changing the host's network failed; the message says which command and what the kernel said. */
public class HostNetworkException extends Exception {

    public HostNetworkException(String message) {
        super(message);
    }

    public HostNetworkException(String message, Throwable cause) {
        super(message, cause);
    }
}
