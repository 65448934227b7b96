package dev.ferry.allocation;

import static dev.ferry.allocation.Clusters.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class AllocationDecidersTest {

    /** A decider that always gives one answer, to test the combination alone. */
    private record Fixed(String name, Decision answer) implements AllocationDecider {
        @Override
        public Decision canAllocate(RoutingCopy copy, RoutingNode node, Routing routing) {
            return answer;
        }

        @Override
        public Decision canRemain(RoutingCopy copy, RoutingNode node, Routing routing) {
            return answer;
        }

        @Override
        public Decision canRebalance(Routing routing) {
            return answer;
        }
    }

    private static final Decision YES = Decision.yes("y", "fine");
    private static final Decision THROTTLE = Decision.throttle("t", "busy");
    private static final Decision NO = Decision.no("n", "never");

    private static Decision.Type combine(List<AllocationDecider> deciders) {
        Routing r = new Routing(cluster().node(node("n1")).topic(topic("t", 1, 0)).build(), false);
        return new AllocationDeciders(deciders).canAllocate(r.copy(id("t", 0, 0)), r.node("n1"), r).type();
    }

    @Test
    void anyNoWinsWhateverTheOrder() {
        List<AllocationDecider> list = new ArrayList<>(List.of(new Fixed("a", YES), new Fixed("b", THROTTLE), new Fixed("c", NO), new Fixed("d", YES)));
        Random random = new Random(42);
        for (int i = 0; i < 20; i++) {
            Collections.shuffle(list, random);
            assertEquals(Decision.Type.NO, combine(list));
        }
    }

    @Test
    void throttleWinsOverYesWhateverTheOrder() {
        List<AllocationDecider> list = new ArrayList<>(List.of(new Fixed("a", YES), new Fixed("b", THROTTLE), new Fixed("d", YES)));
        Random random = new Random(7);
        for (int i = 0; i < 20; i++) {
            Collections.shuffle(list, random);
            assertEquals(Decision.Type.THROTTLE, combine(list));
        }
    }

    @Test
    void allYesIsYes() {
        assertEquals(Decision.Type.YES, combine(List.of(new Fixed("a", YES), new Fixed("b", YES))));
    }

    @Test
    void theDecidingNoIsReturnedWithItsLabelAndExplanation() {
        Routing r = new Routing(cluster().node(node("n1")).topic(topic("t", 1, 0)).build(), false);
        Decision d = new AllocationDeciders(List.of(new Fixed("a", YES), new Fixed("c", NO))).canRemain(r.copy(id("t", 0, 0)), r.node("n1"), r);
        assertSame(NO, d);
    }

    @Test
    void explainCollectsEveryDecidersAnswer() {
        Routing r = new Routing(cluster().node(node("n1")).topic(topic("t", 1, 0)).build(), false);
        List<Decision> all = new AllocationDeciders(List.of(new Fixed("a", YES), new Fixed("b", THROTTLE), new Fixed("c", NO)))
                .canAllocateAll(r.copy(id("t", 0, 0)), r.node("n1"), r);
        assertEquals(List.of(YES, THROTTLE, NO), all);
        assertEquals(Decision.Type.NO, Decision.worst(all));
    }

    @Test
    void defaultQuestionsAnswerYesWithoutAnOpinion() {
        AllocationDecider silent = () -> "silent";
        Routing r = new Routing(cluster().node(node("n1")).topic(topic("t", 1, 0)).build(), false);
        assertSame(Decision.ALWAYS, silent.canAllocate(r.copy(id("t", 0, 0)), r.node("n1"), r));
        assertSame(Decision.ALWAYS, silent.canRebalance(r));
    }
}
