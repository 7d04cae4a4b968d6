package ctfleet.cli.importer;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.StringJoiner;

/** Prometheus' HTTP API over {@link HttpClient}: HTTP and transport failures become {@link PromError}s. */
public final class PromClient {
    static final int MAX_REDIRECTS = 5;
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 307, 308);

    private final HttpClient http;
    private final String base;
    private final Duration timeout;

    public PromClient(String url, Duration timeout) {
        this.base = url.replaceAll("/+$", "");
        this.timeout = timeout;
        // Redirects are followed here, not by the client: on a 301 or 302 it turns the POST into a GET
        // without the form, and Prometheus answers "no match[] parameter provided".
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public String url() {
        return base;
    }

    /** Every series matching {@code selector} with a sample in [start, end]. */
    public List<SortedMap<String, String>> series(String selector, long startMillis, long endMillis)
            throws PromError {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("match[]", selector);
        form.put("start", seconds(startMillis));
        form.put("end", seconds(endMillis));
        String what = base + "/api/v1/series";
        try (Reader body = post("/api/v1/series", form)) {
            return PromJson.labelSets(body, what);
        } catch (IOException e) {
            throw new PromError(PromError.Kind.UNREACHABLE, "reading " + what + ": " + e.getMessage());
        }
    }

    /** {@code /api/v1/query_range}: one point per step from start to end, both inclusive. */
    public List<PromSeries> queryRange(String query, long startMillis, long endMillis, long stepMillis)
            throws PromError {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("query", query);
        form.put("start", seconds(startMillis));
        form.put("end", seconds(endMillis));
        form.put("step", seconds(stepMillis));
        String what = base + "/api/v1/query_range";
        try (Reader body = post("/api/v1/query_range", form)) {
            return PromJson.matrix(body, what);
        } catch (IOException e) {
            throw new PromError(PromError.Kind.UNREACHABLE, "reading " + what + ": " + e.getMessage());
        }
    }

    // POST with a form body: a selector naming a hundred instances does not fit in a URL.
    private Reader post(String path, Map<String, String> form) throws PromError {
        URI uri;
        try {
            uri = URI.create(base + path);
        } catch (IllegalArgumentException e) {
            throw new PromError(PromError.Kind.NOT_PROMETHEUS, "'" + base + "' is not a URL: " + e.getMessage());
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
            throw new PromError(PromError.Kind.NOT_PROMETHEUS, "'" + base + "' is not an http:// or https:// URL");
        }
        StringJoiner body = new StringJoiner("&");
        form.forEach((k, v) -> body.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpResponse<InputStream> resp = sendFollowing(uri, body.toString(), path);
        int code = resp.statusCode();
        String type = resp.headers().firstValue("Content-Type").orElse("");
        // Prometheus answers its own errors (400, 422, 503) with the JSON envelope: parse those.
        if (code == 200 || type.startsWith("application/json")) {
            return new InputStreamReader(resp.body(), StandardCharsets.UTF_8);
        }
        close(resp.body());
        if (code == 401 || code == 403) {
            throw new PromError(PromError.Kind.QUERY, base + path + " refused access (HTTP " + code + ")");
        }
        throw new PromError(PromError.Kind.NOT_PROMETHEUS, base + path + " did not answer like Prometheus' HTTP API: HTTP "
                + code + (type.isEmpty() ? "" : ", " + type));
    }

    /**
     * Sends the POST, and on a 301, 302, 307 or 308 sends the same POST to where it points (nginx's
     * http -> https, or /prometheus -> /prometheus/), at most {@link #MAX_REDIRECTS} times, never from
     * https down to http.
     */
    private HttpResponse<InputStream> sendFollowing(URI uri, String form, String path) throws PromError {
        URI at = uri;
        for (int hops = 0; ; hops++) {
            HttpRequest req = HttpRequest.newBuilder(at).timeout(timeout)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build();
            HttpResponse<InputStream> resp;
            try {
                resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                throw new PromError(PromError.Kind.UNREACHABLE, "cannot reach " + (hops == 0 ? base : at) + ": "
                        + why(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PromError(PromError.Kind.UNREACHABLE, "interrupted");
            }
            if (!REDIRECTS.contains(resp.statusCode())) {
                return resp;
            }
            close(resp.body());
            String location = resp.headers().firstValue("Location").orElse("");
            if (location.isEmpty()) {
                throw new PromError(PromError.Kind.NOT_PROMETHEUS, base + path + " did not answer like Prometheus' HTTP API: HTTP "
                        + resp.statusCode() + " without a Location");
            }
            if (hops == MAX_REDIRECTS) {
                throw new PromError(PromError.Kind.NOT_PROMETHEUS, base + path + " redirected more than "
                        + MAX_REDIRECTS + " times (last to " + location + "); give --prometheus the final URL");
            }
            URI next;
            try {
                next = at.resolve(location.strip());
            } catch (IllegalArgumentException e) {
                throw new PromError(PromError.Kind.NOT_PROMETHEUS, base + path + " redirected to '" + location
                        + "', which is not a URL");
            }
            if (!followable(at, next)) {
                throw new PromError(PromError.Kind.NOT_PROMETHEUS, base + path + " redirected to " + next
                        + ", which is not http(s) or goes from https down to http; give --prometheus the URL to use");
            }
            at = next;
        }
    }

    /** The same scheme, or http up to https: never a query sent in the clear after it asked for TLS. */
    static boolean followable(URI from, URI to) {
        String f = from.getScheme();
        String t = to.getScheme();
        boolean upgrade = "http".equalsIgnoreCase(f) && "https".equalsIgnoreCase(t);
        return t != null && to.getHost() != null && (t.equalsIgnoreCase(f) || upgrade);
    }

    private static void close(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // nothing was read from it
        }
    }

    /** Whole seconds when possible: Prometheus accepts decimals, but "60" is what a person types. */
    static String seconds(long millis) {
        return millis % 1000 == 0 ? Long.toString(millis / 1000)
                : java.math.BigDecimal.valueOf(millis, 3).toPlainString();
    }

    /** Java's HttpClient says "ConnectException" with no message for both of the usual cases. */
    static String why(IOException e) {
        for (Throwable c = e; c != null && c.getCause() != c; c = c.getCause()) {
            if (c instanceof java.nio.channels.UnresolvedAddressException || c instanceof java.net.UnknownHostException) {
                return "unknown host";
            }
        }
        if (e instanceof java.net.ConnectException) {
            return e.getMessage() == null ? "connection refused" : e.getMessage();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
