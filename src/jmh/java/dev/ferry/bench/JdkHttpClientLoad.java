package dev.ferry.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

/**
 * Throwaway comparison for choosing the bench client: N loops of 1 KiB POSTs over the JDK HttpClient, each
 * sending the next request when the previous answer arrives. Args: url inFlight seconds.
 */
public final class JdkHttpClientLoad {
    public static void main(String[] args) throws Exception {
        URI url = URI.create(args[0]);
        int inFlight = Integer.parseInt(args[1]);
        long seconds = Long.parseLong(args[2]);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        byte[] body = new byte[1024];
        java.util.Arrays.fill(body, (byte) 'a');
        HttpRequest req = HttpRequest.newBuilder(url).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        LongAdder done = new LongAdder();
        long warmEnd = System.nanoTime() + 5_000_000_000L;
        long end = warmEnd + seconds * 1_000_000_000L;
        long[] atWarmEnd = new long[1];
        CountDownLatch finished = new CountDownLatch(inFlight);
        for (int i = 0; i < inFlight; i++) {
            loop(client, req, done, end, finished);
        }
        Thread.sleep(5_000);
        atWarmEnd[0] = done.sum();
        finished.await();
        System.out.printf("JDK HttpClient, %d in flight: %.0f req/s%n", inFlight, (done.sum() - atWarmEnd[0]) / (double) seconds);
    }

    private static void loop(HttpClient client, HttpRequest req, LongAdder done, long end, CountDownLatch finished) {
        client.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((r, e) -> {
            done.increment();
            if (e != null || System.nanoTime() > end) {
                finished.countDown();
            } else {
                loop(client, req, done, end, finished);
            }
        });
    }
}
