package io.github.macvlanshim.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The names the native registrations are built from match what jffi and jnr-ffi look up at run time. That the
 * registrations reach a native build's configuration is checked by .ci/native-sources-check.
 */
class LxdClientNativeProcessorTest {

    @Test
    void jffiStubPathIsTheResourceStubLoaderAsksForAndItIsOnTheClasspath() throws Exception {
        int major = Class.forName("com.kenai.jffi.Version").getField("MAJOR").getInt(null);
        int minor = Class.forName("com.kenai.jffi.Version").getField("MINOR").getInt(null);
        String path = LxdClientNativeProcessor.jffiStubLibraryPath(System.getProperty("os.arch"), major, minor);

        assertThat(path).matches("jni/(x86_64|aarch64)-Linux/libjffi-\\d+\\.\\d+\\.so");
        assertThat(getClass().getClassLoader().getResource(path)).as(path).isNotNull();
    }

    @Test
    void cpuNamesFollowJffiAndJnrFfi() {
        assertThat(LxdClientNativeProcessor.cpu("amd64")).isEqualTo("x86_64");
        assertThat(LxdClientNativeProcessor.cpu("aarch64")).isEqualTo("aarch64");
        assertThatThrownBy(() -> LxdClientNativeProcessor.cpu("sparc")).hasMessageContaining("os.arch=sparc");
    }

    @Test
    void typeAliasesClassExistsForThisCpu() {
        String name = LxdClientNativeProcessor.typeAliasesClass(System.getProperty("os.arch"));
        assertThat(getClass().getClassLoader().getResource(name.replace('.', '/') + ".class")).as(name).isNotNull();
    }

    @Test
    void onlyTopLevelLinuxConstantTablesAreRegistered() {
        assertThat(LxdClientNativeProcessor.linuxConstantsClass("jnr/constants/platform/linux/Errno.class"))
                .isEqualTo("jnr.constants.platform.linux.Errno");
        assertThat(LxdClientNativeProcessor.linuxConstantsClass("jnr/constants/platform/linux/Errno$StringTable.class"))
                .isNull();
        assertThat(LxdClientNativeProcessor.linuxConstantsClass("jnr/constants/platform/linux/aarch64/Errno.class"))
                .isNull();
        assertThat(LxdClientNativeProcessor.linuxConstantsClass("jnr/constants/platform/darwin/Errno.class")).isNull();
    }

    @Test
    void everyNamedClassExists() {
        ClassLoader loader = getClass().getClassLoader();
        for (String name : LxdClientNativeProcessor.LIBC_BINDINGS) {
            assertThat(loader.getResource(name.replace('.', '/') + ".class")).as(name).isNotNull();
        }
        assertThat(loader.getResource(LxdClientNativeProcessor.LOADED_LIBRARY.replace('.', '/') + ".class")).isNotNull();
        for (String name : new String[] { "com.kenai.jffi.internal.StubLoader", "com.kenai.jffi.Version",
                "com.kenai.jffi.Foreign", "jnr.ffi.provider.jffi.Provider",
                "jnr.ffi.provider.jffi.NativeLibraryLoader" }) {
            assertThat(loader.getResource(name.replace('.', '/') + ".class")).as(name).isNotNull();
        }
    }
}
