package dev.ferry.cli.bench;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The facts the drain takes from a page: each message's queue and offset, in a queue read and in a group pull. */
class MessagePageTest {

    @Test
    void messagesOfAQueueReadBelongToTheQueueTheReadNames() throws Exception {
        MessagePage p = MessagePage.parse(("{\"topic\":\"t\",\"queue\":3,\"nextOffset\":12,"
                + "\"messages\":[{\"offset\":10,\"body\":\"ab\"},{\"offset\":11,\"body\":\"c\"}]}").getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(new int[]{3, 3}, p.queues());
        assertArrayEquals(new long[]{10, 11}, p.offsets());
        assertArrayEquals(new int[]{2, 1}, p.bytes());
        assertEquals(12, p.nextOffset());
    }

    @Test
    void messagesOfAGroupPullNameTheirOwnQueues() throws Exception {
        MessagePage p = MessagePage.parse(("{\"group\":\"g\",\"queues\":[0,1],"
                + "\"messages\":[{\"queue\":1,\"offset\":4,\"body\":\"x\"},{\"queue\":0,\"offset\":9,\"body\":\"y\"}]}").getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(new int[]{1, 0}, p.queues());
        assertArrayEquals(new long[]{4, 9}, p.offsets());
    }
}
