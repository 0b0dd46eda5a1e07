package io.github.macvlanshim.deployment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.github.macvlanshim.runtime.source.unix.UnixSocketHttp;
import io.github.macvlanshim.runtime.source.lxd.LxdNativeRecorder;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.ExecutionTime;
import io.quarkus.deployment.annotations.Record;
import io.quarkus.deployment.builditem.nativeimage.JniRuntimeAccessBuildItem;
import io.quarkus.deployment.builditem.nativeimage.NativeImageProxyDefinitionBuildItem;
import io.quarkus.deployment.builditem.nativeimage.NativeImageResourceBuildItem;
import io.quarkus.deployment.builditem.nativeimage.ReflectiveClassBuildItem;
import io.quarkus.deployment.builditem.nativeimage.RuntimeInitializedClassBuildItem;
import io.quarkus.deployment.builditem.nativeimage.RuntimeInitializedPackageBuildItem;
import io.quarkus.deployment.pkg.builditem.CurateOutcomeBuildItem;
import io.quarkus.deployment.pkg.steps.NativeOrNativeSourcesBuild;
import io.quarkus.maven.dependency.ResolvedDependency;

/**
 * What a native image needs for the unix-socket HTTP client of the LXD/Incus and Docker/Podman sources
 * ({@code UnixSocketHttp}): jnr-unixsocket over jnr-ffi over jffi, whose JNI stub is a shared library inside a jar.
 * Every step runs only for a native build and only when one of those sources is built in.
 * Verified by running a native agent built with them against a real LXD daemon (agent-lab-tests, docs/native.md).
 * <p>
 * The steps use {@code NativeOrNativeSourcesBuild}, not {@code NativeBuild}: NativeBuild is false when only the
 * native sources are written ({@code quarkus.native.sources-only}), and those sources must carry the registrations
 * to the later native-image run.
 */
class LxdClientNativeProcessor {

    /** Where jffi's JNI stub lives in jffi's native jar and where its StubLoader looks for it. */
    static final String JFFI_STUB_DIRECTORY = "jni/%s-Linux/";
    static final String JNR_CONSTANTS_LINUX = "jnr/constants/platform/linux/";

    /**
     * The packages whose static initializers load jffi's stub or keep native handles (the jffi {@code Foreign}
     * and {@code MemoryIO} singletons, loaded libc bindings, the jnr-ffi runtime): run in the image builder they
     * would load the stub into the builder's JVM and freeze "already loaded" into the image, so every native
     * call would fail at run time. jnr-constants stays build-time (pure tables for this platform), all but
     * {@link #JNR_CONSTANT_SET}.
     */
    static final List<String> RUNTIME_INITIALIZED_PACKAGES = List.of("com.kenai.jffi", "jnr.ffi", "jnr.unixsocket",
            "jnr.enxio", "jnr.posix");

    /**
     * jnr-constants' table loader. Its static initializer records whether class files can be read as resources
     * ({@code CAN_LOAD_RESOURCES}), and while that is true it loads a platform table only after
     * {@code getResource("jnr/constants/platform/linux/<Name>.class")} has found its class file. Initialized in
     * the builder it records true; an image has no class files as resources, so every table not loaded during the
     * build failed at run time ("Could not load platform constants for Shutdown", which is what made
     * jnr-unixsocket's UnixSocketChannel fail to initialize in the native agent). Initialized in the image it
     * records false and loads the tables by name, registered for reflection below. This uses jnr-constants' own
     * path for class loaders without resources, so neither the class files nor a substitution are needed.
     */
    static final String JNR_CONSTANT_SET = "jnr.constants.ConstantSet";

    /** The libc bindings jnr-unixsocket and jnr-enxio load, each a proxy also implementing LoadedLibrary. */
    static final List<String> LIBC_BINDINGS = List.of("jnr.unixsocket.Native$LibC", "jnr.enxio.channels.Native$LibC");
    static final String LOADED_LIBRARY = "jnr.ffi.provider.LoadedLibrary";

    /** The exceptions jffi's C code throws by name (FindClass + ThrowNew), the only classes it looks up. */
    static final List<String> JFFI_THROWN_EXCEPTIONS = List.of("java.lang.IllegalArgumentException",
            "java.lang.IndexOutOfBoundsException", "java.lang.NullPointerException", "java.lang.OutOfMemoryError",
            "java.lang.RuntimeException", "java.lang.UnsatisfiedLinkError");

    /**
     * jffi's StubLoader extracts {@code jni/<cpu>-Linux/libjffi-<major>.<minor>.so} from the classpath into a
     * temporary file and {@code System.load}s it; in an image that resource exists only if it is included.
     * Only the builder's own CPU: an image runs on the architecture it was built for.
     */
    @BuildStep(onlyIf = NativeOrNativeSourcesBuild.class)
    List<NativeImageResourceBuildItem> jffiStubLibrary(MacvlanShimBuildTimeConfig config) {
        if (!unixSocketSourceBuiltIn(config)) {
            return List.of();
        }
        String path = jffiStubLibraryPath(System.getProperty("os.arch"), jffiVersion("MAJOR"), jffiVersion("MINOR"));
        if (Thread.currentThread().getContextClassLoader().getResource(path) == null) {
            throw new IllegalStateException("jffi's JNI stub " + path + " is not on the classpath; expected it in"
                    + " com.github.jnr:jffi:native, which jnr-ffi brings in");
        }
        return List.of(new NativeImageResourceBuildItem(path));
    }

    /**
     * jffi's C code calls back into Java only to throw: FindClass and ThrowNew on these exceptions, which
     * need their String constructor. Foreign holds every native method; registering it keeps JNI lookups on
     * it (RegisterNatives, GetMethodID) working. Native methods themselves are bound by symbol name.
     */
    @BuildStep(onlyIf = NativeOrNativeSourcesBuild.class)
    List<JniRuntimeAccessBuildItem> jffiJniAccess(MacvlanShimBuildTimeConfig config) {
        if (!unixSocketSourceBuiltIn(config)) {
            return List.of();
        }
        return List.of(new JniRuntimeAccessBuildItem(true, true, false, "com.kenai.jffi.Foreign"),
                new JniRuntimeAccessBuildItem(true, false, false, JFFI_THROWN_EXCEPTIONS.toArray(String[]::new)));
    }

    @BuildStep(onlyIf = NativeOrNativeSourcesBuild.class)
    List<RuntimeInitializedPackageBuildItem> jnrRuntimeInitializedPackages(MacvlanShimBuildTimeConfig config) {
        if (!unixSocketSourceBuiltIn(config)) {
            return List.of();
        }
        return RUNTIME_INITIALIZED_PACKAGES.stream().map(RuntimeInitializedPackageBuildItem::new).toList();
    }

    /**
     * A class is initialized with its superclass: our socket extends jnr's UnixSocket, run-time initialized.
     * jnr-constants' ConstantSet: see {@link #JNR_CONSTANT_SET}.
     */
    @BuildStep(onlyIf = NativeOrNativeSourcesBuild.class)
    List<RuntimeInitializedClassBuildItem> runtimeInitializedClasses(MacvlanShimBuildTimeConfig config) {
        if (!unixSocketSourceBuiltIn(config)) {
            return List.of();
        }
        return List.of(new RuntimeInitializedClassBuildItem(UnixSocketHttp.class.getName() + "$PathSocket"),
                new RuntimeInitializedClassBuildItem(JNR_CONSTANT_SET));
    }

    /**
     * Lookups by computed name, which the image builder cannot see: jffi's Init finds StubLoader with
     * Class.forName and calls isLoaded/getFailureCause reflectively; StubLoader reads Version's MAJOR/MINOR
     * fields to name the stub; jnr-ffi's FFIProvider instantiates its jffi Provider by name; NativeRuntime reads
     * {@code ALIASES} from {@code jnr.ffi.provider.jffi.platform.<cpu>.<os>.TypeAliases}.
     */
    @BuildStep(onlyIf = NativeOrNativeSourcesBuild.class)
    List<ReflectiveClassBuildItem> jffiReflection(MacvlanShimBuildTimeConfig config) {
        if (!unixSocketSourceBuiltIn(config)) {
            return List.of();
        }
        return List.of(
                ReflectiveClassBuildItem.builder("com.kenai.jffi.internal.StubLoader").methods()
                        .reason("jffi Init calls it reflectively").build(),
                ReflectiveClassBuildItem.builder("com.kenai.jffi.Version").fields()
                        .reason("jffi StubLoader reads the stub version reflectively").build(),
                ReflectiveClassBuildItem.builder("jnr.ffi.provider.jffi.Provider").constructors()
                        .reason("jnr-ffi FFIProvider instantiates it by name").build(),
                ReflectiveClassBuildItem.builder(typeAliasesClass(System.getProperty("os.arch"))).fields()
                        .reason("jnr-ffi NativeRuntime reads its ALIASES by name").build());
    }

    /**
     * jnr-ffi's default loader generates each binding's class with ASM at run time, which a native image cannot
     * do. With {@code jnr.ffi.asm.enabled=false} it uses its ReflectionLibraryLoader instead: a
     * {@code java.lang.reflect.Proxy} over the binding interface plus LoadedLibrary, dispatching on the
     * interface's Methods, so the proxy shape and the methods must be registered.
     */
    @BuildStep(onlyIf = NativeOrNativeSourcesBuild.class)
    void libcBindingProxies(MacvlanShimBuildTimeConfig config,
            BuildProducer<NativeImageProxyDefinitionBuildItem> proxies,
            BuildProducer<ReflectiveClassBuildItem> reflection) {
        if (!unixSocketSourceBuiltIn(config)) {
            return;
        }
        for (String binding : LIBC_BINDINGS) {
            proxies.produce(new NativeImageProxyDefinitionBuildItem(binding, LOADED_LIBRARY));
        }
        List<String> scanned = new ArrayList<>(LIBC_BINDINGS);
        scanned.add(LOADED_LIBRARY);
        reflection.produce(ReflectiveClassBuildItem.builder(scanned.toArray(String[]::new)).methods()
                .reason("jnr-ffi ReflectionLibraryLoader scans and invokes these methods").build());
    }

    /** Sets {@code jnr.ffi.asm.enabled=false} at start-up, before jnr-ffi's loader class is initialized. */
    @BuildStep(onlyIf = NativeOrNativeSourcesBuild.class)
    @Record(ExecutionTime.RUNTIME_INIT)
    void reflectionLibraryLoader(MacvlanShimBuildTimeConfig config, LxdNativeRecorder recorder) {
        if (unixSocketSourceBuiltIn(config)) {
            recorder.useReflectionLibraryLoader();
        }
    }

    /**
     * jnr-constants finds the values for this OS by class name ({@code jnr.constants.platform.linux.Errno}, ...),
     * then reads them through EnumSet.allOf and getField: every Linux table is registered, since which ones
     * jnr-unixsocket, jnr-enxio and jnr-posix touch is decided at run time.
     */
    @BuildStep(onlyIf = NativeOrNativeSourcesBuild.class)
    void jnrConstantsReflection(MacvlanShimBuildTimeConfig config, CurateOutcomeBuildItem curate,
            BuildProducer<ReflectiveClassBuildItem> reflection) {
        if (!unixSocketSourceBuiltIn(config)) {
            return;
        }
        ResolvedDependency constants = curate.getApplicationModel().getRuntimeDependencies().stream()
                .filter(d -> d.getGroupId().equals("com.github.jnr") && d.getArtifactId().equals("jnr-constants"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(
                        "com.github.jnr:jnr-constants is not a runtime dependency; jnr-unixsocket brings it in"));
        List<String> tables = new ArrayList<>();
        constants.getContentTree().walk(visit -> {
            String name = linuxConstantsClass(visit.getRelativePath("/"));
            if (name != null) {
                tables.add(name);
            }
        });
        reflection.produce(ReflectiveClassBuildItem.builder(tables.toArray(String[]::new)).methods().fields()
                .reason("jnr-constants loads the platform tables by name").build());
    }

    /** {@code jnr/constants/platform/linux/Errno.class} to its class name; null for anything else. */
    static String linuxConstantsClass(String resource) {
        if (!resource.startsWith(JNR_CONSTANTS_LINUX) || !resource.endsWith(".class")) {
            return null;
        }
        String simple = resource.substring(JNR_CONSTANTS_LINUX.length(), resource.length() - ".class".length());
        return simple.contains("/") || simple.contains("$") ? null : resource.replace('/', '.').replace(".class", "");
    }

    /** Whether a source that talks over a unix socket (LXD/Incus, Docker/Podman) is built in. */
    static boolean unixSocketSourceBuiltIn(MacvlanShimBuildTimeConfig config) {
        return config.lxdSourceEnabled() || config.dockerSourceEnabled();
    }

    /** The resource jffi's StubLoader asks for, for the CPU the image is built on. */
    static String jffiStubLibraryPath(String osArch, int major, int minor) {
        return String.format(JFFI_STUB_DIRECTORY, cpu(osArch)) + "libjffi-" + major + "." + minor + ".so";
    }

    static String typeAliasesClass(String osArch) {
        return "jnr.ffi.provider.jffi.platform." + cpu(osArch) + ".linux.TypeAliases";
    }

    /** jffi's and jnr-ffi's name for the JVM's os.arch, for the CPUs a Linux native image is built for. */
    static String cpu(String osArch) {
        String arch = osArch.toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> throw new IllegalStateException("os.arch=" + osArch + " is not a CPU the LXD client's native"
                    + " registrations know; expected amd64/x86_64 or aarch64");
        };
    }

    /** The stub's version from the application's own jffi, not the one this module was compiled against. */
    private static int jffiVersion(String field) {
        try {
            return Class.forName("com.kenai.jffi.Version", false, Thread.currentThread().getContextClassLoader())
                    .getField(field).getInt(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read com.kenai.jffi.Version." + field + " to name jffi's JNI stub", e);
        }
    }
}
