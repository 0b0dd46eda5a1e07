package io.github.macvlanshim.runtime.source;

/** A source could not say what it has now; its last good snapshot stands. */
public class SourceException extends Exception {

    public SourceException(String message) {
        super(message);
    }

    public SourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
