package dev.ferry.http;

import akka.stream.Attributes;
import akka.stream.FlowShape;
import akka.stream.Inlet;
import akka.stream.Outlet;
import akka.stream.stage.AbstractInHandler;
import akka.stream.stage.AbstractOutHandler;
import akka.stream.stage.GraphStage;
import akka.stream.stage.GraphStageLogic;
import akka.util.ByteString;

import java.util.ArrayDeque;

/**
 * Splits an NDJSON byte stream into lines (without the '\n'), each bounded by {@code maxLine} bytes, the stream not
 * at all. A line is a zero-copy slice of the chunk it arrived in (or, spanning chunks, the concatenation of its
 * pieces); the chunk is scanned once. Akka's {@code Framing.delimiter} was ~40% of the node's CPU on a send stream:
 * it compacts (copies) every frame and the rest of its buffer after each one. A last line without '\n' counts.
 *
 * A line over the limit ends the stream with {@link #TOO_LONG}.
 *
 * <p>At most one chunk's lines are held here; upstream is pulled again only when they have all gone downstream.
 */
final class NdjsonLines extends GraphStage<FlowShape<ByteString, ByteString>> {

    /**
     * Emitted (this very instance) in place of a line longer than the limit, as the last element: the stream cannot go
     * on past it (where would the next line start?), but every line before it is still answered.
     */
    static final ByteString TOO_LONG = ByteString.fromArray(new byte[] {0});

    private final int maxLine;
    private final Inlet<ByteString> in = Inlet.create("NdjsonLines.in");
    private final Outlet<ByteString> out = Outlet.create("NdjsonLines.out");
    private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);

    NdjsonLines(int maxLine) {
        this.maxLine = maxLine;
    }

    @Override public FlowShape<ByteString, ByteString> shape() {
        return shape;
    }

    @Override public GraphStageLogic createLogic(Attributes attributes) {
        return new GraphStageLogic(shape) {
            private final ArrayDeque<ByteString> lines = new ArrayDeque<>();
            private ByteString partial = ByteString.emptyByteString();
            private boolean finished;

            {
                setHandler(in, new AbstractInHandler() {
                    @Override public void onPush() {
                        split(grab(in));
                        deliver();
                    }

                    @Override public void onUpstreamFinish() {
                        finished = true;
                        if (!partial.isEmpty()) {
                            lines.add(partial);
                            partial = ByteString.emptyByteString();
                        }
                        deliver();
                    }
                });
                setHandler(out, new AbstractOutHandler() {
                    @Override public void onPull() {
                        deliver();
                    }
                });
            }

            private void deliver() {
                if (!lines.isEmpty() && isAvailable(out)) push(out, lines.poll());
                if (!lines.isEmpty()) return;
                if (finished) completeStage();
                else if (!hasBeenPulled(in) && !isClosed(in)) pull(in);
            }

            private void split(ByteString chunk) {
                // The chunk's own array when it is compact (as TCP reads arrive), else one copy of the chunk; the
                // lines themselves are slices of the chunk either way.
                byte[] bytes = chunk.toArrayUnsafe();
                int n = chunk.length();
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (bytes[i] != '\n') continue;
                    ByteString piece = chunk.slice(start, i);
                    ByteString line = partial.isEmpty() ? piece : partial.concat(piece);
                    partial = ByteString.emptyByteString();
                    if (line.length() > maxLine) {
                        tooLong();
                        return;
                    }
                    lines.add(line);
                    start = i + 1;
                }
                if (start < n) {
                    partial = partial.concat(chunk.slice(start, n));
                    if (partial.length() > maxLine) tooLong();
                }
            }

            private void tooLong() {
                lines.add(TOO_LONG);
                partial = ByteString.emptyByteString();
                finished = true;
                cancel(in);
            }
        };
    }
}
