package io.github.macvlanshim.runtime.source.lxd;

import io.quarkus.runtime.annotations.Recorder;

/** What the LXD client's native libraries need when the application starts as a native image. */
@Recorder
public class LxdNativeRecorder {

    /** jnr-ffi reads this once, in the static initializer of its library loader. */
    public static final String ASM_ENABLED = "jnr.ffi.asm.enabled";

    /**
     * Makes jnr-ffi bind libc through {@code java.lang.reflect.Proxy} instead of classes it would generate with
     * ASM, which a native image cannot define. Runs before any bean starts, so before jnr-ffi's loader class is
     * initialized (it is initialized at run time in the image); an explicit {@code -Djnr.ffi.asm.enabled} wins.
     */
    public void useReflectionLibraryLoader() {
        if (System.getProperty(ASM_ENABLED) == null) {
            System.setProperty(ASM_ENABLED, "false");
        }
    }
}
