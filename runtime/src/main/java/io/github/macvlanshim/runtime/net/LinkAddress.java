package io.github.macvlanshim.runtime.net;

import java.net.InetAddress;

/** An address the kernel shows on a link. */
public record LinkAddress(InetAddress address, int prefixLength, Scope scope, boolean tentative) {

    public enum Scope {
        GLOBAL,
        LINK,
        HOST,
        OTHER
    }

    public boolean isGlobal() {
        return scope == Scope.GLOBAL;
    }

    @Override
    public String toString() {
        return IpLiterals.format(address) + "/" + prefixLength;
    }
}
