package dev.ferry.cluster;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Spreading Brokers over the nodes that may hold them: only from a node two above the emptiest, a few per round. */
class BrokerBalanceTest {

    @Test
    void brokersEvenWithinOneStayWhereTheyAre() {
        assertEquals(Set.of(), BrokerBalance.toMove(Map.of("n1", List.of("a", "b"), "n2", List.of("c"), "n3", List.of("d")), 10));
    }

    @Test
    void theNodeThatStartedFirstHandsBrokersToTheNodesThatJoinedUpToTheLimit() {
        Map<String, List<String>> all = Map.of("n1", List.of("a", "b", "c", "d", "e", "f", "g", "h", "i"), "n2", List.of(), "n3", List.of());
        assertEquals(6, BrokerBalance.toMove(all, 10).size(), "9 brokers over 3 nodes: 3 each");
        Set<String> firstRound = BrokerBalance.toMove(all, 2);
        assertEquals(2, firstRound.size());
        assertTrue(List.of("a", "b", "c", "d", "e", "f", "g", "h", "i").containsAll(firstRound));
    }

    @Test
    void oneNodeHasNothingToBalance() {
        assertEquals(Set.of(), BrokerBalance.toMove(Map.of("n1", List.of("a", "b", "c")), 10));
    }

    @Test
    void aTenthOfTheBrokersMovePerRoundAndAtLeastOne() {
        assertEquals(1, BrokerBalance.limit(9));
        assertEquals(10, BrokerBalance.limit(100));
    }
}
