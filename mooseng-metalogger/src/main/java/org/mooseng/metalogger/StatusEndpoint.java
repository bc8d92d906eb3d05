package org.mooseng.metalogger;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The STATUS_PORT: {@code GET /status} (JSON) and {@code GET /metrics} (Prometheus text), with the JDK's HTTP server. */
final class StatusEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusEndpoint.class);
    static final String STATUS_PATH = "/status";
    static final String METRICS_PATH = "/metrics";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    StatusEndpoint(String host, int port, Supplier<MetaloggerStatus> status) throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.setExecutor(executor);
        server.createContext(STATUS_PATH, exchange -> reply(exchange, "application/json",
                () -> status.get().toJson() + "\n"));
        server.createContext(METRICS_PATH, exchange -> reply(exchange, "text/plain; version=0.0.4",
                () -> status.get().toPrometheus()));
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void reply(HttpExchange exchange, String contentType, Supplier<String> body) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes;
            try {
                bytes = body.get().getBytes(StandardCharsets.UTF_8);
            } catch (RuntimeException e) {
                LOG.debug("status request failed", e);
                exchange.sendResponseHeaders(503, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
