package dev.pictor.media;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.IDN;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Fetches user-supplied image URLs without becoming a proxy into the operator's network.
 *
 * <p>Each hop (the first URL and every redirect, at most {@code maxRedirects}) is resolved, every
 * resolved address is checked against the {@link AddressPolicy}, and the socket is opened to the
 * checked address itself, so a DNS answer that changes between check and connect (rebinding) cannot
 * redirect the request. That is why this speaks HTTP/1.1 over its own socket instead of using
 * {@code java.net.http.HttpClient}, which resolves names on its own. HTTPS is verified against the
 * URL's host name as usual.
 *
 * <p>The body is capped at {@code maxBytes}; the type is sniffed from the bytes; the pixel size is
 * read from the header and capped at {@code maxPixels} before anything is decoded.
 */
public final class SafeFetcher {
    private static final int MAX_HEADER_BYTES = 32 * 1024;

    /** Resolves host names; replaceable in tests to simulate DNS answers. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final AddressPolicy policy;
    private final Resolver resolver;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final long maxBytes;
    private final long maxPixels;
    private final int maxRedirects;

    public SafeFetcher(AddressPolicy policy, Resolver resolver, Duration connectTimeout, Duration readTimeout,
                       long maxBytes, long maxPixels, int maxRedirects) {
        this.policy = policy;
        this.resolver = resolver;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.maxBytes = maxBytes;
        this.maxPixels = maxPixels;
        this.maxRedirects = maxRedirects;
    }

    public SafeFetcher(AddressPolicy policy, Duration connectTimeout, Duration readTimeout, long maxBytes, long maxPixels, int maxRedirects) {
        this(policy, InetAddress::getAllByName, connectTimeout, readTimeout, maxBytes, maxPixels, maxRedirects);
    }

    public long maxPixels() {
        return maxPixels;
    }

    /** Fetches and checks one image. The exception message is safe to show the client and to log. */
    public SourceImage fetchImage(String url) throws FetchException {
        byte[] body = fetch(url);
        String type = ImageProbe.sniff(body);
        if (type == null) {
            throw new FetchException("the response is not a PNG, JPEG, WebP or GIF image");
        }
        int[] size;
        try {
            size = ImageProbe.dimensions(body, type);
        } catch (IOException | RuntimeException e) {
            throw new FetchException("the image header cannot be read");
        }
        if (size[0] <= 0 || size[1] <= 0 || (long) size[0] * size[1] > maxPixels) {
            throw new FetchException("the image is " + size[0] + "x" + size[1] + " pixels, over the limit of " + maxPixels);
        }
        return new SourceImage(body, type, size[0], size[1]);
    }

    /** Fetches the body of a URL, following redirects under the same checks. */
    public byte[] fetch(String url) throws FetchException {
        URI uri = parse(url);
        for (int hop = 0; ; hop++) {
            Response response = get(uri);
            if (response.status >= 300 && response.status < 400 && response.status != 304) {
                if (hop >= maxRedirects) {
                    throw new FetchException("too many redirects (more than " + maxRedirects + ")");
                }
                String location = response.headers.get("location");
                if (location == null) {
                    throw new FetchException("redirect (HTTP " + response.status + ") without a Location");
                }
                try {
                    uri = parse(uri.resolve(new URI(location.trim())).toString());
                } catch (URISyntaxException | IllegalArgumentException e) {
                    throw new FetchException("redirect to an invalid URL");
                }
                continue;
            }
            if (response.status != 200) {
                throw new FetchException("the server answered HTTP " + response.status);
            }
            return response.body;
        }
    }

    private static URI parse(String url) throws FetchException {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new FetchException("not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new FetchException("only http and https URLs can be fetched");
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null) {
            throw new FetchException("the URL needs a host and must not carry credentials");
        }
        return uri;
    }

    private record Response(int status, Map<String, String> headers, byte[] body) {
    }

    private Response get(URI uri) throws FetchException {
        boolean https = uri.getScheme().equalsIgnoreCase("https");
        String host = uri.getHost();
        String bareHost = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        int port = uri.getPort() != -1 ? uri.getPort() : (https ? 443 : 80);
        InetAddress address = checkedAddress(bareHost);
        long deadline = System.nanoTime() + connectTimeout.toNanos() + readTimeout.toNanos();
        try (Socket raw = new Socket()) {
            raw.connect(new InetSocketAddress(address, port), (int) connectTimeout.toMillis());
            raw.setSoTimeout((int) readTimeout.toMillis());
            Socket socket = https ? tls(raw, bareHost, port) : raw;
            try {
                OutputStream out = socket.getOutputStream();
                String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
                if (uri.getRawQuery() != null) {
                    path += "?" + uri.getRawQuery();
                }
                String hostHeader = host + (uri.getPort() != -1 ? ":" + port : "");
                String request = "GET " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\nUser-Agent: Pictor/1 (image fetcher)\r\n"
                        + "Accept: image/png, image/jpeg, image/webp, image/gif, image/*;q=0.8\r\nAccept-Encoding: identity\r\n"
                        + "Connection: close\r\n\r\n";
                out.write(request.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                return read(new BufferedInputStream(socket.getInputStream()), deadline);
            } finally {
                if (socket != raw) {
                    socket.close();
                }
            }
        } catch (SocketTimeoutException e) {
            throw new FetchException("the server did not answer in time");
        } catch (javax.net.ssl.SSLException e) {
            throw new FetchException("the TLS handshake failed");
        } catch (IOException e) {
            throw new FetchException("the connection failed (" + e.getClass().getSimpleName() + ")");
        }
    }

    private InetAddress checkedAddress(String host) throws FetchException {
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(IDN.toASCII(host));
        } catch (UnknownHostException | IllegalArgumentException e) {
            throw new FetchException("the host name does not resolve");
        }
        if (addresses.length == 0) {
            throw new FetchException("the host name does not resolve");
        }
        // Refuse when any answer is internal: a name that mixes public and private answers is a trick.
        for (InetAddress a : addresses) {
            String refusal = policy.refusal(host, a);
            if (refusal != null) {
                throw new FetchException(refusal);
            }
        }
        return addresses[0];
    }

    private static Socket tls(Socket raw, String host, int port) throws IOException {
        try {
            SSLSocket ssl = (SSLSocket) SSLContext.getDefault().getSocketFactory().createSocket(raw, host, port, true);
            SSLParameters params = ssl.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            if (!host.contains(":") && !host.matches("[\\d.]+")) {
                params.setServerNames(List.of(new SNIHostName(host)));
            }
            ssl.setSSLParameters(params);
            ssl.startHandshake();
            return ssl;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IOException(e);
        }
    }

    private Response read(InputStream in, long deadline) throws IOException, FetchException {
        String statusLine = readLine(in);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new FetchException("the server did not answer with HTTP/1.x");
        }
        int status;
        try {
            status = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new FetchException("the server sent an invalid status line");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        int headerBytes = statusLine.length();
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            headerBytes += line.length();
            if (headerBytes > MAX_HEADER_BYTES) {
                throw new FetchException("the response headers are too large");
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        if (status != 200) {
            return new Response(status, headers, new byte[0]);
        }
        String transfer = headers.getOrDefault("transfer-encoding", "");
        byte[] body;
        if (transfer.toLowerCase(Locale.ROOT).contains("chunked")) {
            body = readChunked(in, deadline);
        } else if (headers.containsKey("content-length")) {
            long length;
            try {
                length = Long.parseLong(headers.get("content-length"));
            } catch (NumberFormatException e) {
                throw new FetchException("the server sent an invalid Content-Length");
            }
            if (length > maxBytes) {
                throw new FetchException("the image is " + length + " bytes, over the limit of " + maxBytes);
            }
            body = readBounded(in, length, deadline);
            if (body.length != length) {
                throw new FetchException("the connection closed before the whole image arrived");
            }
        } else {
            body = readBounded(in, -1, deadline);
        }
        return new Response(status, headers, body);
    }

    private byte[] readChunked(InputStream in, long deadline) throws IOException, FetchException {
        var out = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in);
            int semi = sizeLine.indexOf(';');
            long size;
            try {
                size = Long.parseLong((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
            } catch (NumberFormatException e) {
                throw new FetchException("the server sent an invalid chunked body");
            }
            if (size == 0) {
                return out.toByteArray();
            }
            if (out.size() + size > maxBytes) {
                throw new FetchException("the image is over the limit of " + maxBytes + " bytes");
            }
            byte[] chunk = readBounded(in, size, deadline);
            if (chunk.length != size) {
                throw new FetchException("the connection closed before the whole image arrived");
            }
            out.writeBytes(chunk);
            readLine(in);
        }
    }

    /** Reads {@code length} bytes (or until end of stream when -1), enforcing the byte cap and the deadline. */
    private byte[] readBounded(InputStream in, long length, long deadline) throws IOException, FetchException {
        var out = new ByteArrayOutputStream(length > 0 ? (int) Math.min(length, 1 << 20) : 8192);
        byte[] buffer = new byte[16 * 1024];
        long remaining = length;
        while (length < 0 || remaining > 0) {
            if (System.nanoTime() > deadline) {
                throw new FetchException("the download took too long");
            }
            int want = length < 0 ? buffer.length : (int) Math.min(buffer.length, remaining);
            int n = in.read(buffer, 0, want);
            if (n < 0) {
                break;
            }
            out.write(buffer, 0, n);
            remaining -= n;
            if (out.size() > maxBytes) {
                throw new FetchException("the image is over the limit of " + maxBytes + " bytes");
            }
        }
        return out.toByteArray();
    }

    private static String readLine(InputStream in) throws IOException, FetchException {
        var line = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) {
                if (line.isEmpty()) {
                    throw new FetchException("the connection closed without an answer");
                }
                return line.toString();
            }
            if (c == '\n') {
                int len = line.length();
                return len > 0 && line.charAt(len - 1) == '\r' ? line.substring(0, len - 1) : line.toString();
            }
            if (line.length() > MAX_HEADER_BYTES) {
                throw new FetchException("the response headers are too large");
            }
            line.append((char) c);
        }
    }
}
