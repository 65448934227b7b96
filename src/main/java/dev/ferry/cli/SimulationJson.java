package dev.ferry.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ferry.allocation.AllocationExplanation;
import dev.ferry.allocation.AllocationSettings;
import dev.ferry.allocation.Copy;
import dev.ferry.allocation.CopyId;
import dev.ferry.allocation.CopyState;
import dev.ferry.allocation.Decision;
import dev.ferry.allocation.DiskUsage;
import dev.ferry.allocation.InvalidSettingException;
import dev.ferry.allocation.Node;
import dev.ferry.allocation.NodeDecision;
import dev.ferry.allocation.Role;
import dev.ferry.allocation.SimulationInput;
import dev.ferry.allocation.SimulationStep;
import dev.ferry.allocation.StepResult;
import dev.ferry.allocation.Topic;
import dev.ferry.allocation.TopicSettings;
import dev.ferry.allocation.UnassignedInfo;

/**
 * The JSON form of a simulation (see docs/allocation.md, "Simulator"): reads a {@link SimulationInput}, naming the
 * offending field of a malformed file, and writes step results. The allocation core never sees JSON.
 *
 * <p>Thread-safe (the mapper is configured once and only used).
 */
public final class SimulationJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private SimulationJson() {}

    /** Reads a simulation file. */
    public static SimulationInput read(InputStream in) throws IOException, MalformedSimulationException {
        JsonNode root;
        try {
            root = MAPPER.readTree(in);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new MalformedSimulationException("$", "not valid JSON" + where + ": " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw new MalformedSimulationException("$", "the file is empty; expected a JSON object with \"nodes\", \"topics\" and \"steps\"");
        }
        ObjectNode obj = object(root, "$");
        allowOnly(obj, "$", "settings", "nodes", "topics", "copies", "steps");
        Map<String, String> settings = settings(obj.get("settings"), "settings", false);
        List<Node> nodes = list(obj, "nodes", false, SimulationJson::node);
        List<Topic> topics = list(obj, "topics", true, SimulationJson::topic);
        List<Copy> copies = list(obj, "copies", true, SimulationJson::copy);
        List<SimulationStep> steps = list(obj, "steps", true, SimulationJson::step);
        validate(settings, nodes, topics, copies);
        return new SimulationInput(settings, nodes, topics, copies, steps);
    }

    /** Cross-field checks, so that a bad reference is reported with its JSON path rather than by the core. */
    private static void validate(Map<String, String> settings, List<Node> nodes, List<Topic> topics, List<Copy> copies)
            throws MalformedSimulationException {
        AllocationSettings clusterSettings;
        try {
            clusterSettings = AllocationSettings.parse(settings);
        } catch (InvalidSettingException e) {
            throw new MalformedSimulationException("settings." + e.key(), e.getMessage());
        }
        Map<String, Integer> nodeIndex = new LinkedHashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (nodeIndex.putIfAbsent(nodes.get(i).name(), i) != null) {
                throw new MalformedSimulationException("nodes[" + i + "].name", "duplicate node name [" + nodes.get(i).name() + "]");
            }
        }
        Map<String, Topic> topicByName = new LinkedHashMap<>();
        for (int i = 0; i < topics.size(); i++) {
            if (topicByName.putIfAbsent(topics.get(i).name(), topics.get(i)) != null) {
                throw new MalformedSimulationException("topics[" + i + "].name", "duplicate topic name [" + topics.get(i).name() + "]");
            }
        }
        java.util.Set<CopyId> seen = new java.util.HashSet<>();
        for (int i = 0; i < copies.size(); i++) {
            Copy c = copies.get(i);
            String path = "copies[" + i + "]";
            Topic t = topicByName.get(c.id().topic());
            if (t == null) {
                throw new MalformedSimulationException(path + ".topic", "unknown topic [" + c.id().topic() + "]; declare it in \"topics\"");
            }
            if (c.id().queue() >= t.queues()) {
                throw new MalformedSimulationException(path + ".queue", "topic [" + t.name() + "] has " + t.queues() + " queues (0.."
                        + (t.queues() - 1) + "), was [" + c.id().queue() + "]");
            }
            int perQueue = t.settings().effectiveReplicas(nodes, clusterSettings.filters()) + 1;
            if (c.id().copy() >= perQueue) {
                throw new MalformedSimulationException(path + ".copy", "topic [" + t.name() + "] has " + perQueue + " copies per queue (0.."
                        + (perQueue - 1) + "), was [" + c.id().copy() + "]");
            }
            if (c.node() != null && !nodeIndex.containsKey(c.node())) {
                throw new MalformedSimulationException(path + ".node", "unknown node [" + c.node() + "]; declare it in \"nodes\"");
            }
            if (c.relocatingTo() != null && !nodeIndex.containsKey(c.relocatingTo())) {
                throw new MalformedSimulationException(path + ".relocatingTo", "unknown node [" + c.relocatingTo() + "]");
            }
            if (!seen.add(c.id())) {
                throw new MalformedSimulationException(path, "duplicate copy " + c.id());
            }
        }
    }

    private static SimulationStep step(JsonNode n, String path) throws MalformedSimulationException {
        ObjectNode o = object(n, path);
        String op = text(o.get("do"), path + ".do", true);
        switch (op) {
            case "round":
                allowOnly(o, path, "do");
                return new SimulationStep.Round();
            case "completeRecoveries":
                allowOnly(o, path, "do");
                return new SimulationStep.CompleteRecoveries();
            case "settle":
                allowOnly(o, path, "do");
                return new SimulationStep.Settle();
            case "addNode":
                allowOnly(o, path, "do", "node");
                return new SimulationStep.AddNode(node(required(o, "node", path), path + ".node"));
            case "removeNode":
                allowOnly(o, path, "do", "name");
                return new SimulationStep.RemoveNode(text(o.get("name"), path + ".name", true));
            case "setSettings":
                allowOnly(o, path, "do", "settings");
                return new SimulationStep.SetSettings(settings(required(o, "settings", path), path + ".settings", true));
            case "setTopicSettings":
                allowOnly(o, path, "do", "topic", "settings");
                Map<String, String> changes = settings(required(o, "settings", path), path + ".settings", true);
                Map<String, String> present = new LinkedHashMap<>();
                changes.forEach((k, v) -> {
                    if (v != null) {
                        present.put(k, v);
                    }
                });
                try {
                    TopicSettings.parse(present);
                } catch (InvalidSettingException e) {
                    throw new MalformedSimulationException(path + ".settings." + e.key(), e.getMessage());
                }
                return new SimulationStep.SetTopicSettings(text(o.get("topic"), path + ".topic", true), changes);
            case "diskUsage": {
                allowOnly(o, path, "do", "node", "totalBytes", "usedBytes");
                DiskUsage disk = diskUsage(o, path);
                return new SimulationStep.DiskReport(text(o.get("node"), path + ".node", true), disk.totalBytes(), disk.usedBytes());
            }
            case "createTopic":
                allowOnly(o, path, "do", "topic");
                return new SimulationStep.CreateTopic(topic(required(o, "topic", path), path + ".topic"));
            case "deleteTopic":
                allowOnly(o, path, "do", "name");
                return new SimulationStep.DeleteTopic(text(o.get("name"), path + ".name", true));
            case "explain": {
                allowOnly(o, path, "do", "topic", "queue", "copy");
                String topic = text(o.get("topic"), path + ".topic", true);
                int queue = (int) number(o.get("queue"), path + ".queue", true, 0);
                int copy = o.has("copy") ? (int) number(o.get("copy"), path + ".copy", true, 0) : 0;
                return new SimulationStep.Explain(new CopyId(topic, queue, copy));
            }
            default:
                throw new MalformedSimulationException(path + ".do", "unknown step [" + op + "]; expected one of round, completeRecoveries, "
                        + "settle, addNode, removeNode, setSettings, setTopicSettings, diskUsage, createTopic, deleteTopic, explain");
        }
    }

    private static Node node(JsonNode n, String path) throws MalformedSimulationException {
        ObjectNode o = object(n, path);
        allowOnly(o, path, "name", "host", "ip", "attributes", "disk");
        String name = text(o.get("name"), path + ".name", true);
        String host = text(o.get("host"), path + ".host", false);
        String ip = text(o.get("ip"), path + ".ip", false);
        if (ip != null && !isIpAddress(ip)) {
            throw new MalformedSimulationException(path + ".ip", "expected an IPv4 or IPv6 address, was [" + ip + "]");
        }
        Map<String, String> attrs = new LinkedHashMap<>();
        JsonNode a = o.get("attributes");
        if (a != null && !a.isNull()) {
            ObjectNode ao = object(a, path + ".attributes");
            for (Iterator<Map.Entry<String, JsonNode>> it = ao.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                attrs.put(e.getKey(), scalar(e.getValue(), path + ".attributes." + e.getKey()));
            }
        }
        Node node = Node.of(name, host, ip, attrs);
        JsonNode d = o.get("disk");
        if (d != null && !d.isNull()) {
            ObjectNode dobj = object(d, path + ".disk");
            allowOnly(dobj, path + ".disk", "totalBytes", "usedBytes");
            node = node.withDisk(diskUsage(dobj, path + ".disk"));
        }
        return node;
    }

    /** @return whether {@code s} is an IPv4 address (four numbers 0..255) or an IPv6 address literal; no name lookups */
    static boolean isIpAddress(String s) {
        if (s.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            for (String part : s.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    return false;
                }
            }
            return true;
        }
        if (s.indexOf(':') < 0 || !s.matches("[0-9a-fA-F:.]+")) {
            return false;
        }
        try {
            // a literal containing ':' is parsed as IPv6, never looked up
            return java.net.InetAddress.getByName(s) instanceof java.net.Inet6Address;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** The {@code totalBytes} / {@code usedBytes} pair of a disk report, in a step or in a node. */
    private static DiskUsage diskUsage(ObjectNode o, String path) throws MalformedSimulationException {
        long total = number(o.get("totalBytes"), path + ".totalBytes", true, 1);
        long used = number(o.get("usedBytes"), path + ".usedBytes", true, 0);
        if (used > total) {
            throw new MalformedSimulationException(path + ".usedBytes", "must not exceed totalBytes [" + total + "], was [" + used + "]");
        }
        return new DiskUsage(total, used);
    }

    private static Topic topic(JsonNode n, String path) throws MalformedSimulationException {
        ObjectNode o = object(n, path);
        allowOnly(o, path, "name", "queues", "replicas", "sizeBytes", "writeLoad", "settings");
        String name = text(o.get("name"), path + ".name", true);
        if (name.isEmpty() || name.contains("/")) {
            throw new MalformedSimulationException(path + ".name", "a topic name must be non-empty and contain no '/', was [" + name + "]");
        }
        int queues = (int) number(o.get("queues"), path + ".queues", true, 1);
        Map<String, String> settings = settings(o.get("settings"), path + ".settings", false);
        int replicas;
        if (o.has("replicas")) {
            replicas = (int) number(o.get("replicas"), path + ".replicas", true, 0);
            String setting = settings.get(TopicSettings.REPLICAS);
            if (setting != null && !setting.trim().equals(Integer.toString(replicas))) {
                throw new MalformedSimulationException(path + ".replicas", "[" + replicas + "] conflicts with settings."
                        + TopicSettings.REPLICAS + " [" + setting + "]; give the replica count once");
            }
        } else {
            replicas = settings.containsKey(TopicSettings.REPLICAS) ? -1 : 1;
        }
        try {
            Map<String, String> raw = new LinkedHashMap<>(settings);
            if (replicas >= 0) {
                raw.put(TopicSettings.REPLICAS, Integer.toString(replicas));
            }
            Topic t = new Topic(name, queues, TopicSettings.parse(raw), raw, 0, 0);
            if (o.has("sizeBytes")) {
                t = t.withSizeBytes(number(o.get("sizeBytes"), path + ".sizeBytes", true, 0));
            }
            if (o.has("writeLoad")) {
                JsonNode w = o.get("writeLoad");
                if (!w.isNumber() || w.asDouble() < 0) {
                    throw new MalformedSimulationException(path + ".writeLoad", "expected a number >= 0, was " + w);
                }
                t = t.withWriteLoad(w.asDouble());
            }
            return t;
        } catch (InvalidSettingException e) {
            throw new MalformedSimulationException(path + ".settings." + e.key(), e.getMessage());
        }
    }

    private static Copy copy(JsonNode n, String path) throws MalformedSimulationException {
        ObjectNode o = object(n, path);
        allowOnly(o, path, "topic", "queue", "copy", "role", "node", "state", "relocatingTo", "sizeBytes", "inSync", "failedAttempts");
        String topic = text(o.get("topic"), path + ".topic", true);
        int queue = (int) number(o.get("queue"), path + ".queue", true, 0);
        int copyNo = (int) number(o.get("copy"), path + ".copy", true, 0);
        if (o.has("role")) {
            String role = text(o.get("role"), path + ".role", true);
            Role expected = Role.ofCopy(copyNo);
            if (!role.equals("master") && !role.equals("replica")) {
                throw new MalformedSimulationException(path + ".role", "expected [master] or [replica], was [" + role + "]");
            }
            if (!role.equals(expected.word())) {
                throw new MalformedSimulationException(path + ".role", "copy [" + copyNo + "] is the queue's " + expected.word()
                        + " (copy 0 is the master, copies 1.. are replicas), but role is [" + role + "]");
            }
        }
        String stateText = text(o.get("state"), path + ".state", false);
        CopyState state;
        try {
            state = stateText == null ? CopyState.STARTED : CopyState.valueOf(stateText);
        } catch (IllegalArgumentException e) {
            throw new MalformedSimulationException(path + ".state", "expected one of INITIALIZING, STARTED, RELOCATING, UNASSIGNED, was [" + stateText + "]");
        }
        String node = text(o.get("node"), path + ".node", false);
        String target = text(o.get("relocatingTo"), path + ".relocatingTo", false);
        long size = o.has("sizeBytes") ? number(o.get("sizeBytes"), path + ".sizeBytes", true, 0) : 0;
        boolean inSync = true;
        if (o.has("inSync")) {
            if (!o.get("inSync").isBoolean()) {
                throw new MalformedSimulationException(path + ".inSync", "expected true or false, was " + o.get("inSync"));
            }
            inSync = o.get("inSync").asBoolean();
        }
        int failedAttempts = 0;
        if (o.has("failedAttempts")) {
            if (state != CopyState.UNASSIGNED) {
                throw new MalformedSimulationException(path + ".failedAttempts", "only an UNASSIGNED copy has failed attempts, this one is " + state);
            }
            long attempts = number(o.get("failedAttempts"), path + ".failedAttempts", true, 0);
            if (attempts > Integer.MAX_VALUE) {
                throw new MalformedSimulationException(path + ".failedAttempts", "must be <= " + Integer.MAX_VALUE + ", was [" + attempts + "]");
            }
            failedAttempts = (int) attempts;
        }
        if (state == CopyState.UNASSIGNED) {
            if (node != null) {
                throw new MalformedSimulationException(path + ".node", "an UNASSIGNED copy has no node; leave the copy out or drop \"node\"");
            }
            UnassignedInfo info = failedAttempts == 0 ? UnassignedInfo.of(UnassignedInfo.Reason.CLUSTER_RECOVERED)
                    : new UnassignedInfo(UnassignedInfo.Reason.ALLOCATION_FAILED, failedAttempts,
                            "failed [" + failedAttempts + "] times before the simulation");
            return Copy.unassigned(new CopyId(topic, queue, copyNo), info, size);
        }
        if (node == null) {
            throw new MalformedSimulationException(path + ".node", "missing; a " + state + " copy needs the name of its node");
        }
        if (state == CopyState.RELOCATING && target == null) {
            throw new MalformedSimulationException(path + ".relocatingTo", "missing; a RELOCATING copy needs the node it moves to");
        }
        if (state != CopyState.RELOCATING && target != null) {
            throw new MalformedSimulationException(path + ".relocatingTo", "only a RELOCATING copy has relocatingTo, this one is " + state);
        }
        if (node.equals(target)) {
            throw new MalformedSimulationException(path + ".relocatingTo", "a copy cannot relocate to its own node [" + node + "]");
        }
        return new Copy(new CopyId(topic, queue, copyNo), state, node, target, size, inSync || copyNo == 0, null);
    }

    // ------------------------------------------------------------------ output

    /** Writes the results as {@code {"steps": [...]}}. */
    public static String write(List<StepResult> results, boolean pretty) throws JsonProcessingException {
        ObjectNode root = MAPPER.createObjectNode();
        ArrayNode steps = root.putArray("steps");
        for (StepResult r : results) {
            steps.add(step(r));
        }
        return pretty ? MAPPER.writeValueAsString(root) : MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root);
    }

    private static ObjectNode step(StepResult r) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("do", r.op());
        ArrayNode copies = o.putArray("copies");
        for (Copy c : r.copies()) {
            ObjectNode co = copies.addObject();
            co.put("topic", c.id().topic());
            co.put("queue", c.id().queue());
            co.put("copy", c.id().copy());
            co.put("role", c.role().word());
            co.put("node", c.node());
            co.put("state", c.state().name());
            co.put("relocatingTo", c.relocatingTo());
        }
        ArrayNode unassigned = o.putArray("unassigned");
        for (StepResult.UnassignedReport u : r.unassigned()) {
            ObjectNode uo = unassigned.addObject();
            uo.put("topic", u.copy().topic());
            uo.put("queue", u.copy().queue());
            uo.put("copy", u.copy().copy());
            uo.put("role", u.copy().role().word());
            uo.put("reason", u.reason().name());
            if (u.status() != null) {
                uo.put("status", u.status().word());
            }
            uo.put("explanation", u.explanation());
            ArrayNode ds = uo.putArray("decisions");
            for (StepResult.NodeVerdict v : u.decisions()) {
                ObjectNode d = ds.addObject();
                d.put("node", v.node());
                d.put("decider", v.decider());
                d.put("decision", v.decision().name());
                d.put("explanation", v.explanation());
            }
        }
        ArrayNode ro = o.putArray("readOnlyTopics");
        r.readOnlyTopics().forEach(ro::add);
        if (r.explain() != null) {
            o.set("explain", explain(r.explain()));
        }
        o.put("moves", r.moves());
        o.put("rounds", r.rounds());
        if (r.error() != null) {
            o.put("error", r.error());
        }
        return o;
    }

    /** @return the explanation in the shape of ES's allocation explain response (snake_case keys) */
    public static ObjectNode explain(AllocationExplanation e) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("topic", e.copy().topic());
        o.put("queue", e.copy().queue());
        o.put("copy", e.copy().copy());
        o.put("role", e.role().word());
        o.put("current_state", e.currentState().name().toLowerCase(java.util.Locale.ROOT));
        if (e.unassignedInfo() != null) {
            ObjectNode ui = o.putObject("unassigned_info");
            ui.put("reason", e.unassignedInfo().reason().name());
            if (e.unassignedInfo().failedAttempts() > 0) {
                ui.put("failed_allocation_attempts", e.unassignedInfo().failedAttempts());
            }
            if (!e.unassignedInfo().details().isEmpty()) {
                ui.put("details", e.unassignedInfo().details());
            }
            if (!e.unassignedInfo().lastNode().isEmpty()) {
                ui.put("last_allocated_node", e.unassignedInfo().lastNode());
            }
        }
        if (e.currentNode() != null) {
            ObjectNode cn = o.putObject("current_node");
            cn.put("name", e.currentNode());
            if (e.currentWeightRanking() != null) {
                cn.put("weight_ranking", e.currentWeightRanking());
            }
        }
        putIf(o, "relocating_to", e.relocatingTo());
        putIf(o, "can_allocate", e.canAllocate());
        putIf(o, "allocate_explanation", e.allocateExplanation());
        putIf(o, "can_remain_on_current_node", e.canRemainOnCurrentNode());
        if (e.canRemainDecisions() != null) {
            o.set("can_remain_decisions", decisions(e.canRemainDecisions(), false));
        }
        putIf(o, "can_move_to_other_node", e.canMoveToOtherNode());
        putIf(o, "move_explanation", e.moveExplanation());
        putIf(o, "can_rebalance_cluster", e.canRebalanceCluster());
        if (e.canRebalanceClusterDecisions() != null) {
            o.set("can_rebalance_cluster_decisions", decisions(e.canRebalanceClusterDecisions(), false));
        }
        putIf(o, "can_rebalance_to_other_node", e.canRebalanceToOtherNode());
        putIf(o, "rebalance_explanation", e.rebalanceExplanation());
        putIf(o, "desired_node", e.desiredNode());
        ArrayNode nodes = o.putArray("node_allocation_decisions");
        for (NodeDecision nd : e.nodeDecisions()) {
            ObjectNode n = nodes.addObject();
            n.put("node_name", nd.node());
            n.put("host", nd.host());
            ObjectNode attrs = n.putObject("node_attributes");
            new java.util.TreeMap<>(nd.attributes()).forEach(attrs::put);
            n.put("node_decision", nd.nodeDecision());
            n.put("weight_ranking", nd.weightRanking());
            n.put("weight", nd.weight());
            n.set("deciders", decisions(nd.deciders(), true));
        }
        return o;
    }

    private static ArrayNode decisions(List<Decision> list, boolean onlyNonYes) {
        ArrayNode out = MAPPER.createArrayNode();
        for (Decision d : list) {
            if (onlyNonYes && d.isYes()) {
                continue;
            }
            ObjectNode o = out.addObject();
            o.put("decider", d.decider());
            o.put("decision", d.type().name());
            o.put("explanation", d.explanation());
        }
        return out;
    }

    private static void putIf(ObjectNode o, String key, String value) {
        if (value != null) {
            o.put(key, value);
        }
    }

    // ------------------------------------------------------------------ field readers

    private static ObjectNode object(JsonNode n, String path) throws MalformedSimulationException {
        if (n == null || !n.isObject()) {
            throw new MalformedSimulationException(path, "expected a JSON object, was " + describe(n));
        }
        return (ObjectNode) n;
    }

    private static ArrayNode array(JsonNode n, String path, boolean optional) throws MalformedSimulationException {
        if ((n == null || n.isNull()) && optional) {
            return MAPPER.createArrayNode();
        }
        if (n == null || !n.isArray()) {
            throw new MalformedSimulationException(path, "expected a JSON array, was " + describe(n));
        }
        return (ArrayNode) n;
    }

    /** Reads one element of a list, named by its JSON path. */
    @FunctionalInterface
    private interface ElementReader<T> {
        T read(JsonNode n, String path) throws MalformedSimulationException;
    }

    /** @return the elements of the array {@code field} of the file's top-level object, each read by {@code reader} */
    private static <T> List<T> list(ObjectNode root, String field, boolean optional, ElementReader<T> reader)
            throws MalformedSimulationException {
        ArrayNode array = array(root.get(field), field, optional);
        List<T> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            out.add(reader.read(array.get(i), field + "[" + i + "]"));
        }
        return out;
    }

    private static JsonNode required(ObjectNode o, String field, String path) throws MalformedSimulationException {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            throw new MalformedSimulationException(path + "." + field, "missing");
        }
        return n;
    }

    private static String text(JsonNode n, String path, boolean required) throws MalformedSimulationException {
        if (n == null || n.isNull()) {
            if (required) {
                throw new MalformedSimulationException(path, "missing");
            }
            return null;
        }
        if (!n.isTextual()) {
            throw new MalformedSimulationException(path, "expected a string, was " + describe(n));
        }
        return n.asText();
    }

    private static long number(JsonNode n, String path, boolean required, long min) throws MalformedSimulationException {
        if (n == null || n.isNull()) {
            throw new MalformedSimulationException(path, "missing");
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new MalformedSimulationException(path, "expected an integer, was " + describe(n));
        }
        long v = n.asLong();
        if (v < min) {
            throw new MalformedSimulationException(path, "must be >= " + min + ", was [" + v + "]");
        }
        return v;
    }

    private static String scalar(JsonNode n, String path) throws MalformedSimulationException {
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.isNumber() || n.isBoolean()) {
            return n.asText();
        }
        if (n.isArray()) {
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < n.size(); i++) {
                JsonNode e = n.get(i);
                if (!(e.isTextual() || e.isNumber() || e.isBoolean())) {
                    throw new MalformedSimulationException(path + "[" + i + "]", "expected a string, number or boolean, was " + describe(e));
                }
                parts.add(e.asText());
            }
            return String.join(",", parts);
        }
        throw new MalformedSimulationException(path, "expected a string, number, boolean or list of them, was " + describe(n));
    }

    /** Settings objects: values are strings, numbers, booleans or lists; null removes a key when {@code nullRemoves}. */
    private static Map<String, String> settings(JsonNode n, String path, boolean nullRemoves) throws MalformedSimulationException {
        Map<String, String> out = new LinkedHashMap<>();
        if (n == null || n.isNull()) {
            return out;
        }
        ObjectNode o = object(n, path);
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull()) {
                if (nullRemoves) {
                    out.put(e.getKey(), null);
                }
                continue;
            }
            out.put(e.getKey(), scalar(e.getValue(), path + "." + e.getKey()));
        }
        return out;
    }

    private static void allowOnly(ObjectNode o, String path, String... fields) throws MalformedSimulationException {
        List<String> allowed = List.of(fields);
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw new MalformedSimulationException(path + "." + f, "unknown field; expected one of " + allowed);
            }
        }
    }

    private static String describe(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "missing";
        }
        return Optional.of(n.getNodeType().name().toLowerCase(java.util.Locale.ROOT)).get() + " " + n;
    }
}
