package io.github.macvlanshim.bench;

/** The JVM floor for the footprint part: says it is ready, then does nothing until killed. */
public final class Sleeper {

    private Sleeper() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
