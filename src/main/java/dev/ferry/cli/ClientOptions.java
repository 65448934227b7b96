package dev.ferry.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

import java.net.URI;
import java.net.URISyntaxException;

/** The {@code --url} every client command takes (a picocli mixin). */
public final class ClientOptions {

    @Option(names = "--url", paramLabel = "URL", defaultValue = "${env:FERRY_URL:-http://127.0.0.1:8080}", converter = NodeUrl.class,
            description = "HTTP address of any node of the cluster (default: ${DEFAULT-VALUE}; env FERRY_URL).")
    URI url;

    public URI url() {
        return url;
    }

    public FerryClient client() {
        return new FerryClient(url);
    }

    /** An http:// URL with a host, or a usage error (exit 2) naming what was given; FERRY_URL goes through here too. */
    static final class NodeUrl implements ITypeConverter<URI> {
        @Override
        public URI convert(String value) {
            try {
                URI u = new URI(value.strip());
                if ("http".equalsIgnoreCase(u.getScheme()) && u.getHost() != null) {
                    return u;
                }
            } catch (URISyntaxException notAUri) {
                // reported below
            }
            throw new TypeConversionException("--url must be an http:// URL like http://127.0.0.1:8080, was \"" + value + "\"");
        }
    }
}
