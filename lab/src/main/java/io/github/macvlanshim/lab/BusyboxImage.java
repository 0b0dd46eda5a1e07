package io.github.macvlanshim.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A 1 MB LXD image made from the machine's static busybox, so no test needs the network. Built once per JVM
 * into a {@link LabDir} and removed when the JVM exits (or by {@link LabDir#sweepStale()} if it died).
 * <p>
 * The container's init brings every NIC up with duplicate address detection off, so an IPv6 address is usable
 * at once; {@code udhcpc} finds its default script (in /usr/share/udhcpc, linked from Debian's /etc/udhcpc), which sets the leased address and router with {@code ip}.
 */
final class BusyboxImage {

    private static final List<String> APPLETS = List.of("sh", "ip", "ping", "ping6", "sleep", "udhcpc", "mount",
            "umount", "cat", "echo", "ls", "ps", "kill", "sysctl", "hostname", "grep", "sed", "rm", "mkdir", "true");

    private static final String INITTAB = """
            ::sysinit:/etc/init.sh
            ::respawn:/bin/sleep 100000
            """;

    private static final String INIT = """
            #!/bin/sh
            mount -t proc proc /proc 2>/dev/null
            for f in /proc/sys/net/ipv6/conf/*/accept_dad; do echo 0 > "$f"; done
            ip link set lo up
            for nic in $(ls /sys/class/net); do ip link set "$nic" up; done
            """;

    private static final String UDHCPC_SCRIPT = """
            #!/bin/sh
            # Called by udhcpc with $1 = deconfig|bound|renew|leasefail|nak; mask is a prefix length.
            case "$1" in
              deconfig)
                ip -4 addr flush dev "$interface"
                ip link set "$interface" up
                ;;
              bound|renew)
                ip -4 addr flush dev "$interface"
                ip addr add "$ip/${mask:-24}" dev "$interface"
                if [ -n "$router" ]; then
                  ip route replace default via "${router%% *}" dev "$interface"
                fi
                ;;
            esac
            exit 0
            """;

    private static Path tarball;
    private static Path rootfsTarball;

    private BusyboxImage() {
    }

    /** The image tarball (metadata.yaml and rootfs), built on first use. */
    static synchronized Path tarball() {
        if (tarball == null) {
            Path dir = LabDir.create("image");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> LabDir.remove(dir), "lab-image-cleanup"));
            tarball = build(dir);
        }
        return tarball;
    }

    /**
     * The same root file system alone, as {@code docker import} and {@code podman import} take it (they add no
     * init: the container runs the command it is given).
     */
    static synchronized Path rootfsTarball() {
        if (rootfsTarball == null) {
            Path dir = tarball().getParent();
            Path file = dir.resolve("rootfs.tar");
            Cmd.run(Duration.ofSeconds(60), Map.of(), List.of("tar", "-C", dir.resolve("rootfs").toString(),
                    "--numeric-owner", "-cf", file.toString(), "."));
            rootfsTarball = file;
        }
        return rootfsTarball;
    }

    private static Path build(Path dir) {
        try {
            Path rootfs = dir.resolve("rootfs");
            for (String sub : List.of("bin", "sbin", "etc", "dev", "proc", "sys", "tmp", "run", "root", "var",
                    "usr/share/udhcpc", "etc/udhcpc")) {
                Files.createDirectories(rootfs.resolve(sub));
            }
            Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"), StandardCopyOption.COPY_ATTRIBUTES);
            for (String applet : APPLETS) {
                Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
            }
            Files.createSymbolicLink(rootfs.resolve("sbin/init"), Path.of("/bin/busybox"));
            Files.writeString(rootfs.resolve("etc/inittab"), INITTAB, StandardCharsets.UTF_8);
            executable(rootfs.resolve("etc/init.sh"), INIT);
            executable(rootfs.resolve("usr/share/udhcpc/default.script"), UDHCPC_SCRIPT);
            // Debian's busybox looks for its script in /etc/udhcpc, upstream's in /usr/share/udhcpc.
            Files.createSymbolicLink(rootfs.resolve("etc/udhcpc/default.script"), Path.of("/usr/share/udhcpc/default.script"));
            String architecture = Cmd.run("uname", "-m").strip();
            Files.writeString(dir.resolve("metadata.yaml"), """
                    architecture: %s
                    creation_date: %d
                    properties:
                      description: busybox for the macvlan-shim lab
                      os: busybox
                      release: lab
                    """.formatted(architecture, Instant.now().getEpochSecond()), StandardCharsets.UTF_8);
            Path tarball = dir.resolve("busybox.tar.gz");
            Cmd.run(Duration.ofSeconds(60), Map.of(), List.of("tar", "-C", dir.toString(), "--numeric-owner",
                    "-czf", tarball.toString(), "metadata.yaml", "rootfs"));
            return tarball;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the busybox image in " + dir, e);
        }
    }

    private static void executable(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
