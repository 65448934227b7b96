package dev.ferry.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.node.FerryNode;
import dev.ferry.node.TestNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Straight after a node restarted (its /health answers 200, its queues have not recovered yet, or not even started),
 * the topic and group views show each queue's real offsets, not zeros (docs/http-api.md, GET /topics/{topic},
 * GET /groups/{group}).
 */
class ViewsAfterRestartTest {

    static Path dir;
    static FerryNode node;
    static Http http;

    static FerryNode start(int akkaPort) throws Exception {
        FerryNode n = FerryNode.start(TestNodes.config("restart-1", akkaPort, 0, dir, ""));
        http = new Http(n.httpPort());
        for (int i = 0; i < 200 && http.get("/health").status() != 200; i++) Thread.sleep(100);
        return n;
    }

    static void created(String topic) {
        assertEquals(201, http.put("/topics/" + topic, "{\"queues\": 1}").status());
    }

    static void sendFive(String topic) {
        for (int i = 0; i < 5; i++) assertEquals(201, http.post("/topics/" + topic + "/messages", "m" + i).status());
    }

    @BeforeAll
    static void restartAfterSendsAndACommit() throws Exception {
        dir = TestNodes.tempDir("ferry-restart");
        node = start(25543);
        created("kk");
        sendFive("kk");
        created("gt");
        sendFive("gt");
        Http.Reply commit = http.post("/groups/gk/commit", "{\"topic\": \"gt\", \"queue\": 0, \"offset\": 3}");
        assertEquals(200, commit.status(), commit.toString());
        node.shutdown();
        // Another port: a restarted node is a new cluster member; its name and data directory are what carry over.
        node = start(25544);
    }

    @AfterAll
    static void stop() {
        if (node != null) node.shutdown();
        TestNodes.deleteRecursively(dir);
    }

    @Test
    void theTopicViewShowsTheOffsetsTheQueueRecoveredRightAfterTheRestart() {
        Http.Reply r = http.get("/topics/kk");
        assertEquals(200, r.status(), r.toString());
        JsonNode queue = r.json().path("queueStates").get(0);
        assertEquals(5, queue.path("maxOffset").asLong(), r.toString());
        assertEquals(5, queue.path("committedOffset").asLong(), r.toString());
    }

    @Test
    void theGroupViewShowsTheRealLagRightAfterTheRestart() {
        Http.Reply r = http.get("/groups/gk");
        assertEquals(200, r.status(), r.toString());
        JsonNode queue = r.json().path("topics").get(0).path("queues").get(0);
        assertEquals(3, queue.path("committed").asLong(), r.toString());
        assertEquals(5, queue.path("maxOffset").asLong(), r.toString());
        assertEquals(2, queue.path("lag").asLong(), r.toString());
    }
}
