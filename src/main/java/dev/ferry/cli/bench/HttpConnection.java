package dev.ferry.cli.bench;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * One keep-alive HTTP/1.1 connection over a blocking socket, for the load generator only.
 *
 * <p>Why not the JDK HttpClient: on this 2-core machine the load tool shares the CPU with the node, and the JDK
 * client spends several times more CPU per request (futures, header maps, a selector thread hand-off) than a
 * blocking socket that writes a prebuilt request head and parses the status line and Content-Length; see
 * BENCHMARKS.md "Choosing the load tool's client". This class does exactly what the bench needs and nothing
 * else: fixed request heads, Content-Length or chunked responses, and a chunked request body for NDJSON streams.
 *
 * <p>Not thread-safe, except that one thread may write a streaming request body while another reads the
 * streaming response (the socket's two directions are independent).
 */
public final class HttpConnection implements Closeable {

    private final Socket socket;
    private final OutputStream out;
    private final HttpInput in;
    private final String hostHeader;

    private HttpConnection(Socket socket, String hostHeader) throws IOException {
        this.socket = socket;
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        this.in = new HttpInput(socket.getInputStream());
        this.hostHeader = hostHeader;
    }

    public static HttpConnection open(URI base) throws IOException {
        String host = base.getHost();
        int port = base.getPort() == -1 ? 80 : base.getPort();
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.setKeepAlive(true);
        s.connect(new InetSocketAddress(host, port), 5_000);
        return new HttpConnection(s, host + ":" + port);
    }

    /** The request line and headers of a request with a fixed-length body, ready to be written before the body. */
    public byte[] head(String method, String target, String contentType, int contentLength, String... extraHeaders) {
        StringBuilder b = new StringBuilder(160)
                .append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: ").append(hostHeader).append("\r\n");
        if (contentType != null) {
            b.append("Content-Type: ").append(contentType).append("\r\n");
        }
        if (contentLength >= 0) {
            b.append("Content-Length: ").append(contentLength).append("\r\n");
        } else {
            b.append("Transfer-Encoding: chunked\r\n");
        }
        for (String h : extraHeaders) {
            b.append(h).append("\r\n");
        }
        return b.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Sends one whole request and reads the whole response. */
    public Response exchange(byte[] head, byte[] body) throws IOException {
        out.write(head);
        if (body != null) {
            out.write(body);
        }
        out.flush();
        return readResponse();
    }

    /** Convenience for requests built once: GET with no body. */
    public Response get(String target) throws IOException {
        return exchange(head("GET", target, null, 0), null);
    }

    public Response readResponse() throws IOException {
        ResponseHead h = readHead();
        return new Response(h.status(), readBody(h));
    }

    /** Reads the status line and headers of the next response, leaving its body unread. */
    public ResponseHead readHead() throws IOException {
        String status = in.readLine();
        if (status == null) {
            throw new EOFException("connection closed by the node before a response");
        }
        if (!status.startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP response: " + status);
        }
        int code = Integer.parseInt(status.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon);
            if (name.equalsIgnoreCase("Content-Length")) {
                length = Long.parseLong(line.substring(colon + 1).trim());
            } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                chunked = line.substring(colon + 1).trim().equalsIgnoreCase("chunked");
            }
        }
        return new ResponseHead(code, length, chunked);
    }

    /** The body of a response as a stream (de-chunked); reading it to its end leaves the connection reusable. */
    public InputStream body(ResponseHead h) {
        if (h.chunked()) {
            return new ChunkedBody(in);
        }
        return new FixedBody(in, h.contentLength() < 0 ? 0 : h.contentLength());
    }

    private byte[] readBody(ResponseHead h) throws IOException {
        return body(h).readAllBytes();
    }

    /** Writes raw bytes of a streaming request (already framed by the caller); flush with {@link #flush()}. */
    public void writeChunk(byte[] data, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(data, off, len);
        out.write(CRLF);
    }

    public void writeRaw(byte[] data) throws IOException {
        out.write(data);
    }

    public void endChunks() throws IOException {
        out.write(LAST_CHUNK);
        out.flush();
    }

    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    public record ResponseHead(int status, long contentLength, boolean chunked) {}

    public record Response(int status, byte[] body) {
        public boolean ok() {
            return status / 100 == 2;
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** A buffered reader over the socket with just what HTTP/1.1 framing needs. */
    static final class HttpInput {
        private final InputStream raw;
        private final byte[] buf = new byte[64 * 1024];
        private int pos;
        private int limit;

        HttpInput(InputStream raw) {
            this.raw = raw;
        }

        private boolean fill() throws IOException {
            if (pos < limit) {
                return true;
            }
            int n = raw.read(buf, 0, buf.length);
            if (n <= 0) {
                return false;
            }
            pos = 0;
            limit = n;
            return true;
        }

        /** A CRLF-terminated ASCII line without its terminator, or null at end of stream. */
        String readLine() throws IOException {
            StringBuilder sb = null;
            while (true) {
                if (!fill()) {
                    return sb == null ? null : sb.toString();
                }
                int start = pos;
                while (pos < limit) {
                    byte c = buf[pos++];
                    if (c == '\n') {
                        int end = pos - 1;
                        if (end > start && buf[end - 1] == '\r') {
                            end--;
                        }
                        String tail = new String(buf, start, end - start, StandardCharsets.ISO_8859_1);
                        if (sb == null) {
                            return tail;
                        }
                        // a '\r' may sit at the end of the previous buffer fill
                        sb.append(tail);
                        int n = sb.length();
                        if (n > 0 && sb.charAt(n - 1) == '\r') {
                            sb.setLength(n - 1);
                        }
                        return sb.toString();
                    }
                }
                if (sb == null) {
                    sb = new StringBuilder();
                }
                sb.append(new String(buf, start, pos - start, StandardCharsets.ISO_8859_1));
            }
        }

        int read(byte[] dst, int off, int len) throws IOException {
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, limit - pos);
            System.arraycopy(buf, pos, dst, off, n);
            pos += n;
            return n;
        }
    }

    /** A response body read from the connection; single bytes are read through the array read. */
    private abstract static class Body extends InputStream {
        final HttpInput in;

        Body(HttpInput in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
        }
    }

    private static final class FixedBody extends Body {
        private long remaining;

        FixedBody(HttpInput in, long length) {
            super(in);
            this.remaining = length;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining == 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw new EOFException("connection closed with " + remaining + " body bytes unread");
            }
            remaining -= n;
            return n;
        }

        @Override
        public byte[] readAllBytes() throws IOException {
            byte[] all = new byte[(int) remaining];
            int off = 0;
            while (off < all.length) {
                off += read(all, off, all.length - off);
            }
            return all;
        }
    }

    private static final class ChunkedBody extends Body {
        private long chunkRemaining;
        private boolean done;

        ChunkedBody(HttpInput in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (chunkRemaining == 0) {
                String size = in.readLine();
                if (size == null) {
                    throw new EOFException("connection closed inside a chunked body");
                }
                int semi = size.indexOf(';');
                chunkRemaining = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                if (chunkRemaining == 0) {
                    // trailers end with an empty line
                    for (String t = in.readLine(); t != null && !t.isEmpty(); t = in.readLine()) {
                        // ignored
                    }
                    done = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, chunkRemaining));
            if (n < 0) {
                throw new EOFException("connection closed inside a chunk");
            }
            chunkRemaining -= n;
            if (chunkRemaining == 0) {
                in.readLine(); // the CRLF after the chunk data
            }
            return n;
        }
    }
}
