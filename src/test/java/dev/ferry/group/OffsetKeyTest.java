package dev.ferry.group;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Committed offsets are keyed by the queue's persistence id, which names the topic's incarnation. */
class OffsetKeyTest {

    @Test
    void theFirstIncarnationKeepsTheKeyOffsetsHadBeforeIncarnationsWereToldApart() {
        assertEquals("orders/3", new OffsetKey("orders", 0, 3).key());
        assertEquals(new OffsetKey("orders", 0, 3), OffsetKey.parse("orders/3"));
    }

    @Test
    void aReCreatedTopicsKeyNamesItsIncarnation() {
        assertEquals("orders~2/0", new OffsetKey("orders", 2, 0).key());
        assertEquals(new OffsetKey("my_topic-%|x", 2, 0), OffsetKey.parse(new OffsetKey("my_topic-%|x", 2, 0).key()));
    }

    @Test
    void aKeyThisVersionDoesNotKnowIsSkipped() {
        assertNull(OffsetKey.parse("orders"));
        assertNull(OffsetKey.parse("orders/x"));
        assertNull(OffsetKey.parse("orders~x/1"));
    }
}
