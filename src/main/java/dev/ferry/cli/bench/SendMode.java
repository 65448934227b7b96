package dev.ferry.cli.bench;

/** How a bench producer talks to the node. */
enum SendMode {
    /** One POST per message, raw payload as the body; one message in flight per producer. */
    single,
    /** One POST of {@code --batch} messages as JSON; one batch in flight per producer. */
    batch,
    /** One long POST of NDJSON lines, acks streamed back line by line; {@code --window} messages in flight per producer. */
    stream
}
