package dev.ferry.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Which records a read returns, decided from the tag hash in the index entry alone, so the payloads of
 * records that do not match are never read. Hashes can collide: a layer that needs exact tags checks the
 * real tag of what comes back (as RocketMQ's consumers do). Immutable; thread-safe.
 */
public sealed interface TagFilter {

    /** Every record. */
    TagFilter ALL = new All();

    /** @return whether a record with this tag hash passes */
    boolean matches(int tagHash);

    /**
     * The one tag hash every layer uses: CRC32C of the tag's UTF-8 bytes, with 0 kept for "no tag".
     *
     * @param tag the tag, or null / empty for none
     * @return 0 for no tag, else a non-zero hash
     */
    static int hash(String tag) {
        if (tag == null || tag.isEmpty()) {
            return 0;
        }
        CRC32C crc = new CRC32C();
        crc.update(tag.getBytes(StandardCharsets.UTF_8));
        int h = (int) crc.getValue();
        return h == 0 ? 1 : h;
    }

    /** @return a filter passing records carrying any of these tags */
    static TagFilter anyOf(String... tags) {
        int[] hashes = new int[tags.length];
        for (int i = 0; i < tags.length; i++) {
            hashes[i] = hash(tags[i]);
        }
        return anyOfHashes(hashes);
    }

    /** @return a filter passing records whose tag hash is one of these */
    static TagFilter anyOfHashes(int... hashes) {
        int[] sorted = hashes.clone();
        Arrays.sort(sorted);
        return new AnyOf(sorted);
    }

    /** Passes everything. */
    record All() implements TagFilter {
        @Override
        public boolean matches(int tagHash) {
            return true;
        }
    }

    /** Passes the listed tag hashes (kept sorted). */
    record AnyOf(int[] sortedHashes) implements TagFilter {
        @Override
        public boolean matches(int tagHash) {
            return Arrays.binarySearch(sortedHashes, tagHash) >= 0;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof AnyOf other && Arrays.equals(sortedHashes, other.sortedHashes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(sortedHashes);
        }

        @Override
        public String toString() {
            return "AnyOf" + Arrays.toString(sortedHashes);
        }
    }
}
