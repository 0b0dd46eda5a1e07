package io.github.macvlanshim.runtime.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReconcileLoopTest {

    @Test
    void aBurstOfRequestsIsCoalescedIntoFewRuns() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch ran = new CountDownLatch(1);
        try (ReconcileLoop loop = new ReconcileLoop(() -> {
            runs.incrementAndGet();
            ran.countDown();
        }, Duration.ofMillis(50), "test-loop")) {
            loop.start();
            for (int i = 0; i < 100; i++) {
                loop.request();
            }
            assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(200);
            assertThat(runs.get()).isEqualTo(1);
            assertThat(loop.requests()).isEqualTo(100);
            assertThat(loop.runs()).isEqualTo(1);
        }
    }

    /**
     * Requests that come while a run is in progress, debounced ones (1 ms) or immediate ones (with a 30 s debounce
     * that must not be waited for), make exactly one more run.
     */
    @ParameterizedTest(name = "immediate: {0}")
    @ValueSource(booleans = { false, true })
    void requestsDuringARunLeadToExactlyOneMoreRun(boolean immediate) throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch inFirstRun = new CountDownLatch(1);
        CountDownLatch releaseFirstRun = new CountDownLatch(1);
        CountDownLatch secondRun = new CountDownLatch(1);
        try (ReconcileLoop loop = new ReconcileLoop(() -> {
            if (runs.incrementAndGet() == 1) {
                inFirstRun.countDown();
                await(releaseFirstRun);
            } else {
                secondRun.countDown();
            }
        }, immediate ? Duration.ofSeconds(30) : Duration.ofMillis(1), "test-loop")) {
            loop.start();
            Runnable request = immediate ? loop::requestNow : loop::request;
            request.run();
            assertThat(inFirstRun.await(5, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 10; i++) {
                request.run();
            }
            releaseFirstRun.countDown();
            assertThat(secondRun.await(5, TimeUnit.SECONDS)).as("the second run, not after the 30 s debounce").isTrue();
            Thread.sleep(100);
            assertThat(runs.get()).isEqualTo(2);
        }
    }

    @Test
    void anImmediateRequestDoesNotWaitTheDebounce() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        try (ReconcileLoop loop = new ReconcileLoop(ran::countDown, Duration.ofSeconds(30), "test-loop")) {
            loop.start();
            loop.requestNow();
            assertThat(ran.await(5, TimeUnit.SECONDS)).as("ran long before the 30 s debounce").isTrue();
        }
    }

    @Test
    void anImmediateRequestCutsShortTheDebounceOfAWaitingOne() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch ran = new CountDownLatch(1);
        try (ReconcileLoop loop = new ReconcileLoop(() -> {
            runs.incrementAndGet();
            ran.countDown();
        }, Duration.ofSeconds(30), "test-loop")) {
            loop.start();
            loop.request();
            Thread.sleep(50);
            loop.requestNow();
            assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(100);
            assertThat(runs.get()).as("both requests served by one run").isEqualTo(1);
        }
    }

    @Test
    void aFailingRunDoesNotStopTheLoop() throws Exception {
        CountDownLatch second = new CountDownLatch(2);
        try (ReconcileLoop loop = new ReconcileLoop(() -> {
            second.countDown();
            throw new IllegalStateException("boom");
        }, Duration.ofMillis(1), "test-loop")) {
            loop.start();
            loop.request();
            Thread.sleep(50);
            loop.request();
            assertThat(second.await(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aRunThrowingAnErrorDoesNotStopTheLoopWhichStaysAlive() throws Exception {
        CountDownLatch twoRuns = new CountDownLatch(2);
        try (ReconcileLoop loop = new ReconcileLoop(() -> {
            twoRuns.countDown();
            throw new StackOverflowError("deep");
        }, Duration.ofMillis(1), "test-loop")) {
            loop.start();
            loop.request();
            Thread.sleep(50);
            loop.request();
            assertThat(twoRuns.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(loop.alive()).isTrue();
        }
    }

    @Test
    void requestsMadeBeforeStartRunOnlyOnceStarted() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch ran = new CountDownLatch(1);
        try (ReconcileLoop loop = new ReconcileLoop(() -> {
            runs.incrementAndGet();
            ran.countDown();
        }, Duration.ofMillis(1), "test-loop")) {
            loop.requestNow();
            loop.request();
            Thread.sleep(100);
            assertThat(runs.get()).as("runs before start").isZero();
            loop.start();
            assertThat(ran.await(5, TimeUnit.SECONDS)).as("the requests made before start, run after it").isTrue();
            Thread.sleep(100);
            assertThat(runs.get()).as("two requests before start, coalesced").isEqualTo(1);
        }
    }

    @Test
    void aLoopClosedBeforeItStartedNeverRuns() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        ReconcileLoop loop = new ReconcileLoop(runs::incrementAndGet, Duration.ofMillis(1), "test-loop");
        loop.request();
        loop.close();
        loop.start();
        Thread.sleep(100);
        assertThat(runs.get()).isZero();
        assertThat(loop.alive()).isTrue();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
