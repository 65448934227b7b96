/**
 * The Akka Persistence journal plugin over the pure {@code dev.ferry.store} commit log: Akka types and Akka
 * serialization live here, bytes and sequence numbers go down to the store.
 *
 * <p>Owns: {@link dev.ferry.journal.FerryJournal} (plugin ids {@code ferry.journal} and {@code ferry.journal-sync}),
 * the byte layout of a persisted event ({@link dev.ferry.journal.PersistentReprCodec}), the JVM-wide registry that
 * lets both plugin ids and other layers share one open store per directory ({@link dev.ferry.journal.FerryJournalStores}),
 * and the tail-truncation message ({@link dev.ferry.journal.TruncateAfter}).
 *
 * <p>Threading: a plugin actor handles one message at a time on its plugin dispatcher and never blocks on a force:
 * writes complete from the store's future. Replays run on the plugin's replay dispatcher. The registry and the
 * store are thread-safe; the codec is stateless apart from Akka's thread-safe serialization extension.
 */
package dev.ferry.journal;
