package dev.ferry.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A raw-socket HTTP/1.1 client for one long-lived streaming GET: the test decides when (and whether) it reads, and how
 * small its receive buffer is, so it can play a slow consumer or hang up. Decodes the chunked body into lines.
 */
final class StreamClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final int status;
    private final String headers;
    private int chunkLeft;
    private boolean ended;

    /** @param receiveBuffer the socket's receive buffer in bytes, 0 for the system default */
    StreamClient(int port, String path, int receiveBuffer) throws IOException {
        this(port, path, receiveBuffer, "");
    }

    /** @param extraHeaders more request header lines, each ending in CRLF */
    StreamClient(int port, String path, int receiveBuffer, String extraHeaders) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) socket.setReceiveBufferSize(receiveBuffer);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(30_000);
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/x-ndjson\r\n" + extraHeaders + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        in = socket.getInputStream();
        String statusLine = rawLine();
        status = Integer.parseInt(statusLine.split(" ")[1]);
        StringBuilder h = new StringBuilder();
        for (String l = rawLine(); !l.isEmpty(); l = rawLine()) h.append(l).append('\n');
        headers = h.toString().toLowerCase();
    }

    int status() {
        return status;
    }

    String headers() {
        return headers;
    }

    /** The next line of the body (without its newline), or null when the body ended. */
    String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = bodyByte();
            if (b < 0) return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
            if (b == '\n') return line.toString(StandardCharsets.UTF_8);
            line.write(b);
        }
    }

    /** The next non-blank line (blank lines are the stream's keep-alives). */
    String readMessageLine() throws IOException {
        for (String l = readLine(); l != null; l = readLine()) if (!l.isBlank()) return l;
        return null;
    }

    /** The whole body of a non-streaming (e.g. error) answer. */
    String readAll() throws IOException {
        if (!headers.contains("transfer-encoding: chunked")) {
            int length = 0;
            for (String h : headers.split("\n")) if (h.startsWith("content-length:")) length = Integer.parseInt(h.substring(15).trim());
            return new String(in.readNBytes(length), StandardCharsets.UTF_8);
        }
        StringBuilder all = new StringBuilder();
        for (String l = readLine(); l != null; l = readLine()) all.append(l).append('\n');
        return all.toString();
    }

    private int bodyByte() throws IOException {
        if (ended) return -1;
        if (chunkLeft == 0) {
            String size = rawLine();
            if (size.isEmpty()) size = rawLine(); // the CRLF after the previous chunk
            chunkLeft = Integer.parseInt(size.split(";")[0].trim(), 16);
            if (chunkLeft == 0) {
                ended = true;
                return -1;
            }
        }
        int b = in.read();
        if (b < 0) throw new IOException("connection closed inside a chunk");
        chunkLeft--;
        return b;
    }

    private String rawLine() throws IOException {
        StringBuilder s = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) throw new IOException("connection closed; read so far: " + s);
            if (b != '\r') s.append((char) b);
        }
        return s.toString();
    }

    @Override public void close() throws IOException {
        socket.close();
    }
}
