package io.github.macvlanshim.lab;

/**
 * A fresh {@link Lab} whose host namespace runs one {@link LxdDaemon} (LXD or Incus): the set-up the LXD tests share. Sweeps
 * what a dead run left behind first; closing stops the daemon, then removes the lab.
 */
public final class LxdHost implements AutoCloseable {

    private final Lab lab;
    private final LxdDaemon lxd;

    private LxdHost(Lab lab, LxdDaemon lxd) {
        this.lab = lab;
        this.lxd = lxd;
    }

    public static LxdHost start() {
        return start(LxdDaemon.Flavor.LXD);
    }

    /** The same with an Incus daemon (or LXD) in the host namespace. */
    public static LxdHost start(LxdDaemon.Flavor flavor) {
        LabDir.sweepStale();
        Lab.sweepStale();
        return Closing.onFailure(Lab.create(), lab -> new LxdHost(lab, flavor == LxdDaemon.Flavor.LXD
                ? LxdDaemon.start(lab.hostNetns()) : LxdDaemon.startIncus(lab.hostNetns())));
    }

    public Lab lab() {
        return lab;
    }

    public LxdDaemon lxd() {
        return lxd;
    }

    @Override
    public void close() {
        try {
            lxd.close();
        } finally {
            lab.close();
        }
    }
}
