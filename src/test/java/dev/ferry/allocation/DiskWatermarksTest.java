package dev.ferry.allocation;

import static dev.ferry.allocation.Clusters.GB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.ferry.allocation.DiskWatermarks.Level;

class DiskWatermarksTest {
    private static final long TB = 1024 * GB;

    @Test
    void defaultFloodStageNeedsFivePercentFreeOnASmallDisk() {
        DiskWatermarks wm = AllocationSettings.DEFAULTS.watermarks();
        assertEquals(5 * GB, wm.freeBytesThreshold(Level.FLOOD_STAGE, 100 * GB));
    }

    @Test
    void defaultHeadroomCapsTheFreeSpaceDemandedOfAHugeDisk() {
        DiskWatermarks wm = AllocationSettings.DEFAULTS.watermarks();
        assertEquals(100 * GB, wm.freeBytesThreshold(Level.FLOOD_STAGE, 100 * TB));
        assertEquals(150 * GB, wm.freeBytesThreshold(Level.HIGH, 100 * TB));
        assertEquals(200 * GB, wm.freeBytesThreshold(Level.LOW, 100 * TB));
    }

    @Test
    void changingAWatermarkDropsTheDefaultHeadroom() {
        DiskWatermarks wm = Clusters.settings("ferry.allocation.disk.watermark.low", "80%").watermarks();
        assertEquals(-1, wm.lowHeadroom());
        assertEquals(20 * TB, wm.freeBytesThreshold(Level.LOW, 100 * TB));
    }

    @Test
    void byteWatermarksAreFreeSpace() {
        DiskWatermarks wm = Clusters.settings("ferry.allocation.disk.watermark.low", "30gb", "ferry.allocation.disk.watermark.high", "9gb",
                "ferry.allocation.disk.watermark.flood-stage", "5gb").watermarks();
        assertEquals(30 * GB, wm.freeBytesThreshold(Level.LOW, 100 * TB));
        assertEquals(9 * GB, wm.freeBytesThreshold(Level.HIGH, 10 * GB));
    }

    @Test
    void ratiosWithoutPercentSignAreAccepted() {
        DiskWatermarks wm = Clusters.settings("ferry.allocation.disk.watermark.low", "0.7", "ferry.allocation.disk.watermark.high", "0.8",
                "ferry.allocation.disk.watermark.flood-stage", "0.9").watermarks();
        assertEquals(30 * GB, wm.freeBytesThreshold(Level.LOW, 100 * GB));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "85%|500mb|95%|ferry.allocation.disk.watermark.high|unable to consistently parse",
            "91%|90%|95%|ferry.allocation.disk.watermark.low|low disk watermark [91%] more than high disk watermark [90%]",
            "85%|96%|95%|ferry.allocation.disk.watermark.high|high disk watermark [96%] more than flood stage disk watermark [95%]",
            "10gb|20gb|5gb|ferry.allocation.disk.watermark.low|low disk watermark [10gb] less than high disk watermark [20gb]",
            "lots|90%|95%|ferry.allocation.disk.watermark.low|unable to consistently parse"})
    void inconsistentWatermarksAreRejected(String low, String high, String flood, String key, String message) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> Clusters.settings(
                "ferry.allocation.disk.watermark.low", low, "ferry.allocation.disk.watermark.high", high,
                "ferry.allocation.disk.watermark.flood-stage", flood));
        assertEquals(key, e.key());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void headroomIsRejectedWithByteWatermarks() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> Clusters.settings(
                "ferry.allocation.disk.watermark.low", "30gb", "ferry.allocation.disk.watermark.high", "20gb",
                "ferry.allocation.disk.watermark.flood-stage", "10gb", "ferry.allocation.disk.watermark.low-max-headroom", "100gb"));
        assertEquals(DiskWatermarks.LOW_HEADROOM, e.key());
    }

    @Test
    void lowHeadroomNeedsHighHeadroom() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> Clusters.settings(
                "ferry.allocation.disk.watermark.low-max-headroom", "100gb"));
        assertEquals(DiskWatermarks.HIGH_HEADROOM, e.key());
    }

    @Test
    void headroomMayBeWrittenWithElasticsearchsDottedKey() {
        DiskWatermarks wm = Clusters.settings("ferry.allocation.disk.watermark.low.max-headroom", "300gb",
                "ferry.allocation.disk.watermark.high.max-headroom", "200gb",
                "ferry.allocation.disk.watermark.flood-stage.max-headroom", "100gb").watermarks();
        assertEquals(300 * GB, wm.lowHeadroom());
    }
}
