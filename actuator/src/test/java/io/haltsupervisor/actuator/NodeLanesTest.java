package io.haltsupervisor.actuator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NodeLanesTest {

    @Test
    void runsDifferentNodesConcurrentlyAndEachNodeInOrder() throws Exception {
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch release = new CountDownLatch(1);
        try (NodeLanes lanes = new NodeLanes(4, 4, "test-lane")) {
            lanes.submit("sei/a", () -> {
                order.add("a1-start");
                hold(release);
                order.add("a1-end");
            });
            lanes.submit("sei/a", () -> order.add("a2"));
            CountDownLatch bRan = new CountDownLatch(1);
            lanes.submit("sei/b", () -> {
                order.add("b1");
                bRan.countDown();
            });
            assertThat(bRan.await(5, TimeUnit.SECONDS)).as("b is not held up by a's running decision").isTrue();
            assertThat(order).doesNotContain("a2");
            await().atMost(Duration.ofSeconds(5)).until(() -> lanes.pending() == 2);
            release.countDown();
            lanes.awaitIdle();
            assertThat(order).containsSubsequence("a1-start", "a1-end", "a2");
            assertThat(order).contains("b1");
            assertThat(lanes.pending()).isZero();
        }
    }

    @Test
    void neverActsOnMoreThanItsBoundAtOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> started = Collections.synchronizedList(new ArrayList<>());
        try (NodeLanes lanes = new NodeLanes(2, 3, "test-lane")) {
            for (String key : List.of("a", "b", "c")) {
                lanes.submit(key, () -> {
                    started.add(key);
                    hold(release);
                });
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> started.size() == 2);
            await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> started.size() == 2);
            release.countDown();
            lanes.awaitIdle();
            assertThat(started).containsExactlyInAnyOrder("a", "b", "c");
        }
    }

    @Test
    void aLaneThatOnlyWaitsLetsAnotherNodeActAndItsOwnNodeStillWaitsForIt() throws Exception {
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch bActed = new CountDownLatch(1);
        try (NodeLanes lanes = new NodeLanes(1, 2, "test-lane")) {
            lanes.submit("a", () -> {
                order.add("a1-acted");
                try {
                    // a hold check: it waits until b has acted, which needs the one permit a gives back while waiting
                    while (bActed.getCount() > 0) {
                        LaneWaits.sleepNanos(TimeUnit.MILLISECONDS.toNanos(20));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                order.add("a1-held");
            });
            lanes.submit("a", () -> order.add("a2"));
            lanes.submit("b", () -> {
                order.add("b1");
                bActed.countDown();
            });
            lanes.awaitIdle();
            assertThat(order).containsSubsequence("a1-acted", "b1", "a1-held", "a2");
        }
    }

    @Test
    void refusesMoreActingLanesThanThreads() {
        assertThatThrownBy(() -> new NodeLanes(3, 2, "test-lane")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected 1 <= acting <= threads, got acting 3, threads 2");
    }

    @Test
    void aFailingTaskDoesNotStopItsLane() throws Exception {
        List<String> ran = Collections.synchronizedList(new ArrayList<>());
        try (NodeLanes lanes = new NodeLanes(1, 1, "test-lane")) {
            lanes.submit("a", () -> {
                throw new IllegalStateException("boom");
            });
            lanes.submit("a", () -> ran.add("after"));
            lanes.awaitIdle();
            assertThat(ran).containsExactly("after");
        }
    }

    private static void hold(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not released within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
