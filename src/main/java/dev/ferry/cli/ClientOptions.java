package dev.ferry.cli;

import picocli.CommandLine.Option;

import java.net.URI;

/** The {@code --url} every client command takes (a picocli mixin). */
public final class ClientOptions {

    @Option(names = "--url", paramLabel = "URL", defaultValue = "${env:FERRY_URL:-http://127.0.0.1:8080}",
            description = "HTTP address of any node of the cluster (default: ${DEFAULT-VALUE}; env FERRY_URL).")
    URI url;

    public URI url() {
        return url;
    }

    public FerryClient client() {
        return new FerryClient(url);
    }
}
