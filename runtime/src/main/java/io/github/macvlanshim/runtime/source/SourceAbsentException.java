package io.github.macvlanshim.runtime.source;

/**
 * The source's daemon is not there at all (no API socket): normal at boot, during an upgrade, or on a host that
 * does not run it. The source keeps looking on its own.
 */
public class SourceAbsentException extends SourceException {

    public SourceAbsentException(String message) {
        super(message);
    }
}
