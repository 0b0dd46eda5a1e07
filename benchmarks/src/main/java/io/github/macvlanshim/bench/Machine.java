package io.github.macvlanshim.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.github.macvlanshim.lab.Cmd;

/** What the figures were measured on. */
final class Machine {

    private Machine() {
    }

    static void describe(Report report) {
        report.lines(
                "| | |",
                "| --- | --- |",
                "| CPUs (nproc) | " + Cmd.run("nproc").strip() + " |",
                "| CPU model | " + cpuInfo("model name") + " |",
                "| memory | " + memTotal() + " |",
                "| kernel | " + Cmd.run("uname", "-r").strip() + " |",
                "| iproute2 | " + Cmd.run("ip", "-V").strip() + " |",
                "| LXD | " + Cmd.exec("lxd", "--version").stdout().strip() + " |",
                "| Java | " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + " |");
    }

    private static String cpuInfo(String key) {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith(key))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static String memTotal() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream()
                    .filter(l -> l.startsWith("MemTotal:"))
                    .map(l -> l.replaceAll("\\D+", "")).map(kb -> Long.parseLong(kb) / 1024 + " MiB")
                    .findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }
}
