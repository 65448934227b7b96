package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * {@code ferry cluster explain} for people: where the copy is and the overall answer, then each node's decision with
 * the deciders that said NO or THROTTLE (the YES ones only repeat that nothing is in the way; {@code --json} has
 * them all). The generic key/value rendering of the answer ran to a hundred lines a node for one copy.
 */
final class ExplainText {
    private ExplainText() {}

    static void print(JsonNode a, PrintWriter out) {
        if ("broker".equals(a.path("type").asText())) {
            out.println("broker of topic " + a.path("topic").asText() + " on " + node(a.path("currentNode")));
            out.println("  " + a.path("decision").path("explanation").asText());
            out.flush();
            return;
        }
        JsonNode d = a.path("decision");
        String state = text(d.path("currentState")).toLowerCase(Locale.ROOT);
        out.println(a.path("entity").asText() + " (" + text(d.path("role")).toLowerCase(Locale.ROOT) + ", copy " + a.path("copy").asText()
                + "): " + state + (d.hasNonNull("currentNode") ? " on " + d.path("currentNode").asText() : "")
                + (d.hasNonNull("relocatingTo") ? ", relocating to " + d.path("relocatingTo").asText() : ""));
        JsonNode u = d.path("unassignedInfo");
        if (u.isObject()) {
            out.println("unassigned: " + text(u.path("reason")).toLowerCase(Locale.ROOT)
                    + (u.path("failedAttempts").asInt() > 0 ? ", " + u.path("failedAttempts").asInt() + " failed attempts" : "")
                    + (text(u.path("details")).isEmpty() ? "" : ": " + text(u.path("details")))
                    + (text(u.path("lastNode")).isEmpty() ? "" : " (data last on " + text(u.path("lastNode")) + ")"));
        }
        answer(out, "can allocate", d.path("canAllocate"), d.path("allocateExplanation"));
        answer(out, "can remain", d.path("canRemainOnCurrentNode"), null);
        deciders(out, d.path("canRemainDecisions"), "  ");
        answer(out, "can move", d.path("canMoveToOtherNode"), d.path("moveExplanation"));
        answer(out, "can rebalance cluster", d.path("canRebalanceCluster"), null);
        deciders(out, d.path("canRebalanceClusterDecisions"), "  ");
        answer(out, "can rebalance to another node", d.path("canRebalanceToOtherNode"), d.path("rebalanceExplanation"));
        if (d.hasNonNull("desiredNode")) out.println("desired node: " + d.path("desiredNode").asText());
        JsonNode nodes = d.path("nodeDecisions");
        if (nodes.isArray() && !nodes.isEmpty()) {
            out.println("nodes:");
            for (JsonNode n : nodes) {
                out.println("  " + n.path("node").asText() + ": " + n.path("nodeDecision").asText()
                        + String.format(Locale.ROOT, " (weight %.2f, rank %d)", n.path("weight").asDouble(), n.path("weightRanking").asInt()));
                deciders(out, n.path("deciders"), "    ");
            }
        }
        out.flush();
    }

    private static void answer(PrintWriter out, String question, JsonNode answer, JsonNode why) {
        if (answer == null || answer.isNull() || answer.isMissingNode()) return;
        out.println(question + ": " + answer.asText());
        if (why != null && !text(why).isEmpty()) out.println("  " + text(why));
    }

    /** The NO and THROTTLE answers, one a line: "NO decider: explanation". */
    private static void deciders(PrintWriter out, JsonNode decisions, String indent) {
        if (!decisions.isArray()) return;
        for (JsonNode dec : decisions) {
            String type = dec.path("type").asText().toUpperCase(Locale.ROOT);
            if (type.equals("YES")) continue;
            String decider = dec.path("decider").asText();
            out.println(indent + type + (decider.isEmpty() ? "" : " " + decider) + ": " + dec.path("explanation").asText());
        }
    }

    private static String text(JsonNode v) {
        return v == null || v.isNull() || v.isMissingNode() ? "" : v.asText();
    }

    private static String node(JsonNode v) {
        return text(v).isEmpty() ? "no node" : v.asText();
    }
}
