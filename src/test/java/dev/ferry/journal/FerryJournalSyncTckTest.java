package dev.ferry.journal;

import org.junit.runner.RunWith;
import org.scalatestplus.junit.JUnitRunner;

/**
 * Akka's journal TCK against {@code ferry.journal-sync}: every write waits for a force, so its replies leave from the
 * force's completion rather than at once (the other path of {@link WriteReplies}).
 */
@RunWith(JUnitRunner.class)
public class FerryJournalSyncTckTest extends FerryJournalTckTest {

    public FerryJournalSyncTckTest() {
        super("ferry.journal-sync");
    }
}
