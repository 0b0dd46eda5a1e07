package io.github.macvlanshim.runtime.net;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link HostNetwork} on iproute2: two {@code ip -json} processes per read, one {@code ip -batch -} process per
 * run of ip changes. With a namespace name, everything happens inside that namespace.
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

    @Override
    public NetworkState read() throws HostNetworkException {
        String linksAndIpv4 = ip.ip(List.of("-N", "-d", "-j", "-batch", "-"), READ_LINKS_AND_IPV4).stdout();
        String ipv6 = ip.ip(List.of("-N", "-j", "-6", "-batch", "-"), READ_IPV6).stdout();
        return IpJsonParser.parse(linksAndIpv4, ipv6);
    }

    @Override
    public void apply(List<Change> changes, int protocol) throws HostNetworkException {
        List<IpBatchRenderer.Step> steps;
        try {
            steps = IpBatchRenderer.steps(changes, protocol);
        } catch (IllegalArgumentException e) {
            throw new HostNetworkException("cannot apply the plan, nothing was changed: " + e.getMessage(), e);
        }
        for (IpBatchRenderer.Step step : steps) {
            if (step instanceof IpBatchRenderer.Batch batch) {
                runBatch(batch);
            } else if (step instanceof IpBatchRenderer.Sysctl sysctl) {
                ip.inNamespace(sysctl.arguments(), "");
            }
        }
    }

    private void runBatch(IpBatchRenderer.Batch batch) throws HostNetworkException {
        try {
            ip.ip(List.of("-batch", "-"), batch.stdin());
        } catch (IpCommandException e) {
            throw new HostNetworkException(describeFailure(batch, e), e);
        }
    }

    /** ip stops at the first failing line and names it "-:N"; the lines before it took effect. */
    static String describeFailure(IpBatchRenderer.Batch batch, IpCommandException failure) {
        String stderr = IpCommand.oneLine(failure.stderr());
        Matcher matcher = FAILED_LINE.matcher(failure.stderr());
        if (matcher.find()) {
            int number = Integer.parseInt(matcher.group(1));
            if (number >= 1 && number <= batch.lines().size()) {
                return "ip batch line " + number + " of " + batch.lines().size() + " failed: '"
                        + batch.lines().get(number - 1) + "': " + stderr
                        + (number == 2 ? " (line 1 was applied)" : number > 2 ? " (lines 1-" + (number - 1) + " were applied)" : "");
            }
        }
        return "ip batch of " + batch.lines().size() + " lines failed: " + failure.getMessage();
    }
}
