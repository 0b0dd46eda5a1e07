package io.github.macvlanshim.runtime.net;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link HostNetwork} on iproute2: two {@code ip -json} processes per read (side by side), one
 * {@code ip -force -batch -} process per run of ip changes. With a namespace name, everything happens inside that namespace.
 */
public final class IpRoute2HostNetwork implements HostNetwork {

    /** Links with details (kind, macvlan mode), their addresses, and IPv4 routes: one process, one moment. */
    static final String READ_LINKS_AND_IPV4 = "address show\nroute show table main\n";
    static final String READ_IPV6 = "route show table main\nneigh show proxy\nnetconf show\n";

    private static final Pattern FAILED_LINE = Pattern.compile("Command failed -:(\\d+)");

    private final IpCommand ip;

    public IpRoute2HostNetwork(Optional<String> netns) {
        this(new IpCommand(netns));
    }

    public IpRoute2HostNetwork(IpCommand ip) {
        this.ip = ip;
    }

    /**
     * The two processes run side by side: they were never one moment (a route can change between them, and the
     * next reconcile reads it again), and the read takes as long as the slower one instead of both. Each is one
     * family's routes: ip shows one family per route dump ({@code -6}), and a batch line cannot switch it.
     */
    @Override
    public NetworkState read() throws HostNetworkException {
        try (IpCommand.Running linksAndIpv4 = ip.start(List.of("-N", "-d", "-j", "-batch", "-"), READ_LINKS_AND_IPV4);
                IpCommand.Running ipv6 = ip.start(List.of("-N", "-j", "-6", "-batch", "-"), READ_IPV6)) {
            return IpJsonParser.parse(linksAndIpv4.finish().stdout(), ipv6.finish().stdout());
        }
    }

    @Override
    public List<Refusal> apply(List<Change> changes, int protocol) throws HostNetworkException {
        List<IpBatchRenderer.Step> steps;
        try {
            steps = IpBatchRenderer.steps(changes, protocol);
        } catch (IllegalArgumentException e) {
            throw new HostNetworkException("cannot apply the plan, nothing was changed: " + e.getMessage(), e);
        }
        List<Refusal> refused = new ArrayList<>();
        for (IpBatchRenderer.Step step : steps) {
            if (step instanceof IpBatchRenderer.Batch batch) {
                refused.addAll(runBatch(batch));
            } else if (step instanceof IpBatchRenderer.Sysctl sysctl) {
                try {
                    ip.inNamespace(sysctl.arguments(), "");
                } catch (IpCommandException e) {
                    refused.add(new Refusal(sysctl.change(), IpCommand.oneLine(e.stderr())));
                }
            }
        }
        return refused;
    }

    /**
     * {@code ip -force -batch -}: ip goes on past a failing line, prints the kernel's reason and then
     * "Command failed -:N" for each, and exits 1. Costs nothing when every line succeeds.
     */
    private List<Refusal> runBatch(IpBatchRenderer.Batch batch) throws HostNetworkException {
        try {
            ip.ip(List.of("-force", "-batch", "-"), batch.stdin());
            return List.of();
        } catch (IpCommandException e) {
            List<Refusal> refused = refusals(batch, e.stderr());
            if (refused.isEmpty()) {
                throw new HostNetworkException("ip batch of " + batch.lines().size() + " lines failed: " + e.getMessage(), e);
            }
            return refused;
        }
    }

    /**
     * The refused lines of a forced batch, each with the reason ip printed before its "Command failed -:N" line.
     * Empty when stderr names no line: then the batch failed as a whole (e.g. the namespace is gone).
     */
    static List<Refusal> refusals(IpBatchRenderer.Batch batch, String stderr) {
        List<Refusal> refused = new ArrayList<>();
        List<String> reason = new ArrayList<>();
        for (String line : stderr.split("\n")) {
            Matcher matcher = FAILED_LINE.matcher(line);
            if (!matcher.find()) {
                if (!line.isBlank()) {
                    reason.add(line.strip());
                }
                continue;
            }
            int number = Integer.parseInt(matcher.group(1));
            if (number >= 1 && number <= batch.lines().size()) {
                String why = reason.isEmpty() ? "ip gave no reason" : String.join(" ", reason);
                refused.add(new Refusal(batch.changes().get(number - 1),
                        UntrustedText.escape(why) + " (ip batch line " + number + ": '" + batch.lines().get(number - 1) + "')"));
            }
            reason.clear();
        }
        return refused;
    }
}
