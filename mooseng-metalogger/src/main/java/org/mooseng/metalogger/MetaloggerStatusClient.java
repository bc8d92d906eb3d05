package org.mooseng.metalogger;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads a metalogger's status from its STATUS_PORT (what {@code mooseng admin metaloggers} calls). */
public final class MetaloggerStatusClient {
    private MetaloggerStatusClient() {
    }

    /**
     * GET http://{@code hostPort}/status.
     *
     * @throws IOException when the metalogger cannot be reached, answers with an error, or sends
     *                     something that is not a status
     */
    public static MetaloggerStatus fetch(String hostPort, Duration timeout) throws IOException {
        URI uri = URI.create("http://" + hostPort + StatusEndpoint.STATUS_PATH);
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build()) {
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException("metalogger " + hostPort + ": HTTP " + response.statusCode() + " on "
                        + StatusEndpoint.STATUS_PATH);
            }
            return MetaloggerStatus.fromJson(response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("metalogger " + hostPort + ": interrupted", e);
        } catch (IllegalArgumentException e) {
            throw new IOException("metalogger " + hostPort + ": not a status: " + e.getMessage(), e);
        }
    }
}
