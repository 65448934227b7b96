package dev.ferry.allocation;

import java.util.HashMap;
import java.util.Map;

/**
 * Completes every recovery in a view at once: INITIALIZING copies start, RELOCATING copies arrive at their target.
 * The simulator's {@code completeRecoveries} step and tests use it; the live cluster completes recoveries for real.
 *
 * <p>Stateless and thread-safe.
 */
public final class Recoveries {
    private Recoveries() {}

    /** @return the view with every recovery completed; disk reports unchanged */
    public static ClusterView complete(ClusterView view) {
        return complete(view, false);
    }

    /**
     * @param simulateDisk whether to move disk usage with the copies (a started copy adds its size to its node's
     *                     report, a relocation source gives its size back), as the simulator does between reports
     * @return the view with every recovery completed
     */
    public static ClusterView complete(ClusterView view, boolean simulateDisk) {
        ClusterView.Builder b = view.toBuilder();
        Map<String, Long> diskDelta = new HashMap<>();
        for (Copy c : view.copies()) {
            long size = c.sizeBytes() > 0 ? c.sizeBytes() : expectedSize(view, c);
            switch (c.state()) {
                case INITIALIZING -> {
                    b.copy(new Copy(c.id(), CopyState.STARTED, c.node(), null, size, true, null));
                    diskDelta.merge(c.node(), size, Long::sum);
                }
                case RELOCATING -> {
                    b.copy(new Copy(c.id(), CopyState.STARTED, c.relocatingTo(), null, size, true, null));
                    diskDelta.merge(c.relocatingTo(), size, Long::sum);
                    diskDelta.merge(c.node(), -size, Long::sum);
                }
                default -> { }
            }
        }
        if (simulateDisk) {
            diskDelta.forEach((name, delta) -> {
                Node n = view.nodes().get(name);
                n.disk().ifPresent(d -> b.node(n.withDisk(new DiskUsage(d.totalBytes(),
                        Math.max(0, Math.min(d.totalBytes(), d.usedBytes() + delta))))));
            });
        }
        return b.build();
    }

    private static long expectedSize(ClusterView view, Copy c) {
        long max = 0;
        Topic t = view.topics().get(c.id().topic());
        for (int i = 0; i < view.copiesPerQueue(t); i++) {
            max = Math.max(max, view.copy(new CopyId(c.id().topic(), c.id().queue(), i)).map(Copy::sizeBytes).orElse(0L));
        }
        return max > 0 ? max : t.sizeBytes();
    }
}
