package dev.ferry.cli.bench;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The bench's HTTP/1.1 framing against a real socket whose server side writes exactly the bytes each test gives. */
class HttpConnectionTest {

    private ServerSocket server;

    @BeforeEach
    void listen() throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void close() throws IOException {
        server.close();
    }

    /** Accepts one connection, reads the request head, and writes {@code parts} one flushed write each. */
    private CompletableFuture<Void> answer(String... parts) {
        return CompletableFuture.runAsync(() -> {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                for (String part : parts) {
                    readHead(in);
                    for (char c : part.toCharArray()) {   // byte by byte: every boundary is exercised
                        out.write(c);
                        out.flush();
                    }
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    private static void readHead(InputStream in) throws IOException {
        int matched = 0;
        while (matched < 4) {
            int c = in.read();
            if (c < 0) {
                return;
            }
            matched = (c == "\r\n\r\n".charAt(matched)) ? matched + 1 : (c == '\r' ? 1 : 0);
        }
    }

    private HttpConnection connect() throws IOException {
        return HttpConnection.open(URI.create("http://127.0.0.1:" + server.getLocalPort()));
    }

    @Test
    void shouldReadAResponseWithContentLength() throws Exception {
        answer("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}");
        try (HttpConnection c = connect()) {
            HttpConnection.Response r = c.get("/x");
            assertEquals(201, r.status());
            assertEquals("{\"ok\":true}", r.text());
        }
    }

    @Test
    void shouldReassembleAChunkedResponseWithExtensionsAndTrailers() throws Exception {
        answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n");
        try (HttpConnection c = connect()) {
            HttpConnection.Response r = c.get("/x");
            assertEquals(200, r.status());
            assertArrayEquals("hello world".getBytes(StandardCharsets.US_ASCII), r.body());
        }
    }

    @Test
    void shouldReuseTheConnectionForTheNextRequest() throws Exception {
        answer("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na",
                "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nbc");
        try (HttpConnection c = connect()) {
            assertEquals("a", c.get("/1").text());
            HttpConnection.Response second = c.get("/2");
            assertEquals(404, second.status());
            assertEquals("bc", second.text());
        }
    }

    @Test
    void shouldFailWhenTheServerClosesInsideTheBody() throws Exception {
        answer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
        try (HttpConnection c = connect()) {
            EOFException e = assertThrows(EOFException.class, () -> c.get("/x"));
            assertEquals("connection closed with 7 body bytes unread", e.getMessage());
        }
    }

    @Test
    void shouldRejectSomethingThatIsNotHttp() throws Exception {
        answer("SSH-2.0-OpenSSH\r\n\r\n");
        try (HttpConnection c = connect()) {
            IOException e = assertThrows(IOException.class, () -> c.get("/x"));
            assertEquals("not an HTTP response: SSH-2.0-OpenSSH", e.getMessage());
        }
    }
}
