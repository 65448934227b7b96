package dev.ferry.queue;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The byte and count budget of one read (ferry.http.max-bytes-per-read, max). */
class ReadBudgetTest {

    /** A message that counts for exactly {@code size} bytes. */
    static StoredMessage weighing(long size) {
        StoredMessage probe = new StoredMessage("id", new byte[0], List.of(), List.of(), Map.of(), 1L);
        return new StoredMessage("id", new byte[(int) (size - ReadBudget.size(probe))], List.of(), List.of(), Map.of(), 1L);
    }

    @Test
    void takesMessagesUntilTheNextWouldPassTheBudget() {
        ReadBudget budget = new ReadBudget(1024, 1000);
        assertTrue(budget.tryTake(weighing(400)));
        assertTrue(budget.tryTake(weighing(600)), "exactly the budget still fits");
        assertFalse(budget.tryTake(weighing(100)));
        assertTrue(budget.full());
        assertEquals(2, budget.taken());
    }

    @Test
    void aRefusedMessageEndsTheReadEvenIfASmallerOneWouldFit() {
        ReadBudget budget = new ReadBudget(1024, 1000);
        budget.tryTake(weighing(900));
        assertFalse(budget.tryTake(weighing(200)));
        assertFalse(budget.tryTake(weighing(100)), "messages are taken in offset order: nothing after a refused one");
    }

    @Test
    void alwaysTakesTheFirstMessageEvenWhenItIsLargerThanTheBudget() {
        ReadBudget budget = new ReadBudget(1024, 1000);
        assertTrue(budget.tryTake(weighing(5000)));
        assertFalse(budget.tryTake(weighing(100)));
        assertEquals(1, budget.taken());
    }

    @Test
    void stopsAtMaxMessagesWhateverTheirSize() {
        ReadBudget budget = new ReadBudget(2, 1 << 20);
        assertTrue(budget.tryTake(weighing(100)));
        assertFalse(budget.full());
        assertTrue(budget.tryTake(weighing(100)));
        assertTrue(budget.full());
        assertFalse(budget.tryTake(weighing(100)));
    }
}
