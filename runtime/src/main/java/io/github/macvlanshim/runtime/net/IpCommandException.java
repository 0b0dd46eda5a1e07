package io.github.macvlanshim.runtime.net;

/** A command ran and exited non-zero; keeps its stderr so the caller can say which batch line failed. */
public class IpCommandException extends HostNetworkException {

    private final int exitCode;
    private final String stderr;

    public IpCommandException(String message, int exitCode, String stderr) {
        super(message);
        this.exitCode = exitCode;
        this.stderr = stderr;
    }

    public int exitCode() {
        return exitCode;
    }

    public String stderr() {
        return stderr;
    }
}
