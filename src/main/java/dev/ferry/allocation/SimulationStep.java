package dev.ferry.allocation;

import java.util.Map;

/**
 * One step of an offline simulation ({@code ferry allocation simulate}). Steps that change the cluster change it and
 * nothing else; allocation happens only in {@link Round}, {@link CompleteRecoveries} and {@link Settle}.
 */
public sealed interface SimulationStep {

    /** @return the step's name as written in the simulation file's {@code "do"} field */
    String op();

    /** One allocation round. */
    record Round() implements SimulationStep {
        public String op() {
            return "round";
        }
    }

    /** Every recovery completes (initializing copies start, relocations arrive), then one round. */
    record CompleteRecoveries() implements SimulationStep {
        public String op() {
            return "completeRecoveries";
        }
    }

    /** completeRecoveries until nothing changes. */
    record Settle() implements SimulationStep {
        public String op() {
            return "settle";
        }
    }

    /** A node joins. */
    record AddNode(Node node) implements SimulationStep {
        public String op() {
            return "addNode";
        }
    }

    /** A node leaves: its copies become unassigned ({@code NODE_LEFT}) and recoveries to or from it fail. */
    record RemoveNode(String name) implements SimulationStep {
        public String op() {
            return "removeNode";
        }
    }

    /** Cluster settings change; a null value removes a setting. */
    record SetSettings(Map<String, String> settings) implements SimulationStep {
        public String op() {
            return "setSettings";
        }
    }

    /** A topic's settings change; a null value removes a setting. */
    record SetTopicSettings(String topic, Map<String, String> settings) implements SimulationStep {
        public String op() {
            return "setTopicSettings";
        }
    }

    /** A node reports its disk usage. */
    record DiskReport(String node, long totalBytes, long usedBytes) implements SimulationStep {
        public String op() {
            return "diskUsage";
        }
    }

    /** A topic is created (refused above the cluster-wide copy cap). */
    record CreateTopic(Topic topic) implements SimulationStep {
        public String op() {
            return "createTopic";
        }
    }

    /** A topic is deleted with all its copies. */
    record DeleteTopic(String name) implements SimulationStep {
        public String op() {
            return "deleteTopic";
        }
    }

    /** Explains one copy. */
    record Explain(CopyId copy) implements SimulationStep {
        public String op() {
            return "explain";
        }
    }
}
