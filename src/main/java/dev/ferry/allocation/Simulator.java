package dev.ferry.allocation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The offline placement simulator behind {@code ferry allocation simulate}: runs steps (rounds, recoveries, nodes
 * joining and leaving, settings and disk changes, topics created and deleted) on a cluster held as values and reports
 * the cluster after each. Recoveries move disk usage with the copies, as if the nodes reported again.
 *
 * <p>Stateless and thread-safe; each {@link #run} works on its own values.
 */
public final class Simulator {
    /** Rounds a settle step may take before it reports that the cluster does not settle. */
    public static final int MAX_SETTLE_ROUNDS = 10_000;

    private final Allocator allocator;

    /** @param allocator the allocator whose rounds are simulated */
    public Simulator(Allocator allocator) {
        this.allocator = allocator;
    }

    /**
     * Runs a simulation.
     *
     * @return one result per step, in order
     * @throws IllegalArgumentException if the starting cluster is inconsistent (unknown topic or node in a copy, bad settings)
     */
    public List<StepResult> run(SimulationInput input) {
        State state = new State(input);
        List<StepResult> results = new ArrayList<>();
        for (SimulationStep step : input.steps()) {
            results.add(state.apply(step));
        }
        return results;
    }

    /** The evolving cluster of one run. */
    private final class State {
        private final Map<String, String> rawSettings;
        private ClusterView view;
        private final DesiredBalanceTracker tracker = new DesiredBalanceTracker(allocator);
        /** The creation time given to the last topic created. */
        private long clock;
        /** Outcome of the last round for each unassigned copy. */
        private Map<CopyId, UnassignedCopy> lastAttempt = new HashMap<>();

        State(SimulationInput input) {
            rawSettings = SettingValues.changed(Map.of(), input.settings());
            ClusterView.Builder b = ClusterView.builder(AllocationSettings.parse(rawSettings));
            input.nodes().forEach(b::node);
            // Creation order stands in for ES's creation date: the file's topics in order, then createTopic steps.
            for (Topic t : input.topics()) {
                clock = Math.max(clock + 1, t.createdAt());
                b.topic(t.createdAt() == 0 ? t.withCreatedAt(clock) : t);
            }
            input.copies().forEach(b::copy);
            view = b.build();
        }

        StepResult apply(SimulationStep step) {
            int moves = 0;
            int rounds = 0;
            AllocationExplanation explain = null;
            try {
                if (step instanceof SimulationStep.Round r) {
                    moves = round().moves().size();
                    rounds = 1;
                } else if (step instanceof SimulationStep.CompleteRecoveries r) {
                    moves = completeRecoveriesAndRound().moves().size();
                    rounds = 1;
                } else if (step instanceof SimulationStep.Settle r) {
                    while (true) {
                        if (rounds >= MAX_SETTLE_ROUNDS) {
                            return result(step, moves, rounds, null, "the cluster did not settle within [" + MAX_SETTLE_ROUNDS + "] rounds");
                        }
                        ClusterView before = view;
                        RoundResult result = completeRecoveriesAndRound();
                        rounds++;
                        moves += result.moves().size();
                        if (result.placements().isEmpty() && result.moves().isEmpty() && sameCopies(before, view)) {
                            break;
                        }
                    }
                } else if (step instanceof SimulationStep.AddNode a) {
                    if (view.nodes().containsKey(a.node().name())) {
                        return result(step, 0, 0, null, "node [" + a.node().name() + "] already exists");
                    }
                    view = view.toBuilder().node(a.node()).build();
                } else if (step instanceof SimulationStep.RemoveNode r) {
                    if (!view.nodes().containsKey(r.name())) {
                        return result(step, 0, 0, null, "no node [" + r.name() + "]");
                    }
                    view = removeNode(r.name());
                } else if (step instanceof SimulationStep.SetSettings s) {
                    Map<String, String> next = SettingValues.changed(rawSettings, s.settings());
                    AllocationSettings parsed = AllocationSettings.parse(next);
                    rawSettings.clear();
                    rawSettings.putAll(next);
                    view = view.withSettings(parsed);
                } else if (step instanceof SimulationStep.SetTopicSettings s) {
                    Topic t = view.topics().get(s.topic());
                    if (t == null) {
                        return result(step, 0, 0, null, "no topic [" + s.topic() + "]");
                    }
                    Topic changed = t.withSettings(s.settings());
                    long added = (long) changed.queues() * (view.copiesPerQueue(changed) - view.copiesPerQueue(t));
                    var refusal = Allocator.checkCopyLimit(view, added);
                    if (refusal.isPresent()) {
                        return result(step, 0, 0, null, refusal.get());
                    }
                    view = view.toBuilder().topic(changed).build();
                } else if (step instanceof SimulationStep.DiskReport d) {
                    Node n = view.nodes().get(d.node());
                    if (n == null) {
                        return result(step, 0, 0, null, "no node [" + d.node() + "]");
                    }
                    view = view.toBuilder().node(n.withDisk(new DiskUsage(d.totalBytes(), d.usedBytes()))).build();
                } else if (step instanceof SimulationStep.CreateTopic c) {
                    if (view.topics().containsKey(c.topic().name())) {
                        return result(step, 0, 0, null, "topic [" + c.topic().name() + "] already exists");
                    }
                    var refusal = Allocator.checkCopyLimit(view, (long) c.topic().queues() * view.copiesPerQueue(c.topic()));
                    if (refusal.isPresent()) {
                        return result(step, 0, 0, null, refusal.get());
                    }
                    clock = Math.max(clock + 1, c.topic().createdAt());
                    view = view.toBuilder().topic(c.topic().createdAt() == 0 ? c.topic().withCreatedAt(clock) : c.topic()).build();
                } else if (step instanceof SimulationStep.DeleteTopic d) {
                    if (!view.topics().containsKey(d.name())) {
                        return result(step, 0, 0, null, "no topic [" + d.name() + "]");
                    }
                    view = view.toBuilder().removeTopic(d.name()).build();
                } else if (step instanceof SimulationStep.Explain e) {
                    if (view.copy(e.copy()).isEmpty()) {
                        return result(step, 0, 0, null, "no copy " + e.copy() + " in the cluster");
                    }
                    explain = allocator.explain(view, e.copy());
                }
            } catch (IllegalArgumentException e) {
                return result(step, moves, rounds, null, e.getMessage());
            }
            return result(step, moves, rounds, explain, null);
        }

        private RoundResult round() {
            view = dropSurplus(view);
            RoundResult result = tracker.round(view);
            remember(result);
            view = result.next();
            return result;
        }

        private RoundResult completeRecoveriesAndRound() {
            view = Recoveries.complete(view, true);
            return round();
        }

        private void remember(RoundResult result) {
            lastAttempt = new HashMap<>();
            for (UnassignedCopy u : result.unassigned()) {
                lastAttempt.put(u.copy(), u);
            }
        }

        private ClusterView removeNode(String name) {
            ClusterView.Builder b = view.toBuilder();
            UnassignedInfo left = UnassignedInfo.nodeLeft(name);
            List<Copy> all = new ArrayList<>(view.copies());
            all.addAll(view.surplusCopies()); // copies above a lowered replica count are still on their nodes until a round
            for (Copy c : all) {
                if (name.equals(c.node())) {
                    b.copy(Copy.unassigned(c.id(), left, c.sizeBytes()));
                } else if (name.equals(c.relocatingTo())) {
                    // the relocation target is gone: the copy simply stays where it is
                    b.copy(new Copy(c.id(), CopyState.STARTED, c.node(), null, c.sizeBytes(), c.inSync(), null));
                }
            }
            b.removeNode(name);
            return b.build();
        }

        /**
         * Drops the copies above each topic's replica count (replicas lowered, auto-expand shrank), at the start of a
         * round: steps that change the cluster remove nothing. As ES's {@code removeReplica}, unassigned replicas go
         * first and an assigned one only when no unassigned one is left; a lost master whose only in-sync copies are
         * among them fails over onto one first. Copy numbers are labels here, so the kept replicas are renumbered
         * 1..n in their old order (the live system cannot renumber: its Broker stops the highest slots).
         */
        private ClusterView dropSurplus(ClusterView v) {
            if (v.surplusCopies().isEmpty()) {
                return v;
            }
            Map<String, List<Copy>> byQueue = new java.util.TreeMap<>();
            for (Copy c : v.surplusCopies()) {
                byQueue.computeIfAbsent(c.id().topic() + "\u0000" + c.id().queue(), k -> new ArrayList<>()).add(c);
            }
            ClusterView.Builder b = ClusterView.builder(v.settings());
            v.nodes().values().forEach(b::node);
            v.topics().values().forEach(b::topic);
            Set<String> affected = byQueue.keySet();
            for (Copy c : v.copies()) {
                if (!affected.contains(c.id().topic() + "\u0000" + c.id().queue())) {
                    b.copy(c);
                }
            }
            for (List<Copy> extra : byQueue.values()) {
                CopyId any = extra.get(0).id();
                int keep = v.copiesPerQueue(v.topics().get(any.topic()));
                Copy master = v.copy(CopyId.master(any.topic(), any.queue())).orElseThrow();
                List<Copy> replicas = new ArrayList<>();
                for (int i = 1; i < keep; i++) {
                    replicas.add(v.copy(new CopyId(any.topic(), any.queue(), i)).orElseThrow());
                }
                replicas.addAll(extra);
                replicas.sort(java.util.Comparator.comparing(Copy::id));
                if (master.state() == CopyState.UNASSIGNED && !master.unassignedInfo().newQueue()) {
                    for (int i = 0; i < replicas.size(); i++) {
                        Copy r = replicas.get(i);
                        if (r.state() == CopyState.STARTED && r.inSync()) {
                            // failover (ES's failShard): the replica becomes the master, its slot takes the master's info
                            replicas.set(i, Copy.unassigned(r.id(), master.unassignedInfo(), r.sizeBytes()));
                            master = new Copy(master.id(), CopyState.STARTED, r.node(), null, r.sizeBytes(), true, null);
                            break;
                        }
                    }
                }
                b.copy(master);
                List<Copy> kept = new ArrayList<>();
                for (Copy r : replicas) {
                    if (r.state() != CopyState.UNASSIGNED && kept.size() < keep - 1) {
                        kept.add(r);
                    }
                }
                for (Copy r : replicas) {
                    if (r.state() == CopyState.UNASSIGNED && kept.size() < keep - 1) {
                        kept.add(r);
                    }
                }
                kept.sort(java.util.Comparator.comparing(Copy::id));
                for (int i = 0; i < kept.size(); i++) {
                    Copy r = kept.get(i);
                    b.copy(new Copy(new CopyId(any.topic(), any.queue(), i + 1), r.state(), r.node(), r.relocatingTo(), r.sizeBytes(),
                            r.inSync(), r.unassignedInfo()));
                }
            }
            return b.build();
        }

        private StepResult result(SimulationStep step, int moves, int rounds, AllocationExplanation explain, String error) {
            List<Copy> assigned = new ArrayList<>();
            List<CopyId> unassignedIds = new ArrayList<>();
            for (Copy c : view.copies()) {
                if (c.state() == CopyState.UNASSIGNED) {
                    unassignedIds.add(c.id());
                } else {
                    assigned.add(c);
                }
            }
            for (Copy c : view.surplusCopies()) {
                if (c.state() != CopyState.UNASSIGNED) {
                    assigned.add(c); // above a lowered replica count: still there until the next round drops a surplus copy
                }
            }
            assigned.sort(java.util.Comparator.comparing(Copy::id));
            Map<CopyId, List<StepResult.NodeVerdict>> verdicts = allocator.unassignedDecisions(view, unassignedIds);
            List<StepResult.UnassignedReport> unassigned = new ArrayList<>();
            for (CopyId id : unassignedIds) {
                Copy c = view.copy(id).orElseThrow();
                UnassignedCopy last = lastAttempt.get(id);
                unassigned.add(new StepResult.UnassignedReport(id, c.unassignedInfo().reason(), last == null ? null : last.status(),
                        last == null ? "no allocation round has run since the copy became unassigned" : last.explanation(),
                        verdicts.getOrDefault(id, List.of())));
            }
            Set<String> readOnly = new TreeSet<>();
            for (Topic t : view.topics().values()) {
                if (t.settings().readOnlyAllowDelete()) {
                    readOnly.add(t.name());
                }
            }
            return new StepResult(step.op(), assigned, unassigned, readOnly, explain, moves, rounds, error);
        }

        private boolean sameCopies(ClusterView a, ClusterView b) {
            return new ArrayList<>(a.copies()).equals(new ArrayList<>(b.copies()));
        }
    }
}
