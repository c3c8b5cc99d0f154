package dev.pictor.net;

import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
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
 * One HTTP/1.1 exchange with a URL a user gave us, without becoming a proxy into the operator's
 * network: the host is resolved, every answer is checked against the {@link AddressPolicy}, and the
 * socket is opened to the checked address itself, so a DNS answer that changes between check and
 * connect (rebinding) cannot redirect the request. That is why this does not use
 * {@code java.net.http.HttpClient}, which resolves names on its own. HTTPS is verified against the
 * URL's host name as usual. Redirects are never followed here; callers decide.
 *
 * <p>Used for source images ({@link SafeFetcher}) and webhook deliveries.
 */
public final class PinnedHttpClient {
    private static final int MAX_HEADER_BYTES = 32 * 1024;

    /** Resolves host names; replaceable in tests to simulate DNS answers. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** An answer: status, lower-cased headers, and the body read so far (at most the requested bytes). */
    public record Response(int status, Map<String, String> headers, byte[] body, boolean truncated) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final AddressPolicy policy;
    private final Resolver resolver;
    private final Duration connectTimeout;

    public PinnedHttpClient(AddressPolicy policy, Resolver resolver, Duration connectTimeout) {
        this.policy = policy;
        this.resolver = resolver;
        this.connectTimeout = connectTimeout;
    }

    public PinnedHttpClient(AddressPolicy policy, Duration connectTimeout) {
        this(policy, InetAddress::getAllByName, connectTimeout);
    }

    /** Parses and checks the shape of a URL: http(s), a host, no credentials. */
    public static URI parse(String url) throws FetchException {
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
        if (ambiguousIpv4(uri.getHost())) {
            throw new FetchException("the URL's host is an IPv4 address in octal, hex, short or zero-padded form; write it as four decimal numbers");
        }
        // java.net.URI accepts any digits as a port; a socket does not, and throws outside FetchException.
        if (uri.getPort() != -1 && (uri.getPort() < 1 || uri.getPort() > 65535)) {
            throw new FetchException("the URL's port must be between 1 and 65535");
        }
        return uri;
    }

    /**
     * A host made of numbers that is not a plain dotted quad ({@code 0177.0.0.1}, {@code 012.0.0.1},
     * {@code 0x7f.1}, {@code 2130706433}, {@code 127.1}). Java reads {@code 0177.0.0.1} as 177.0.0.1, a
     * browser or proxy as 127.0.0.1: what the policy checked would not be what another reader of the
     * same URL reaches, so none of these forms is accepted. No real host name is all numbers.
     */
    static boolean ambiguousIpv4(String host) {
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (h.isEmpty() || !h.toLowerCase(Locale.ROOT).matches("(0x[0-9a-f]*|[0-9]+)(\\.(0x[0-9a-f]*|[0-9]+))*")) {
            return false;
        }
        return !h.matches("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    }

    /** Resolves and checks the URL's host without connecting; throws with the reason when it is not allowed. */
    public void checkDestination(URI uri) throws FetchException {
        checkedAddress(bareHost(uri));
    }

    /**
     * Sends one request and reads the answer. A body longer than {@code maxBodyBytes} is either an
     * error ({@code failOnLargeBody}) or cut ({@code truncated}). Everything must finish within
     * {@code timeout} after connecting.
     */
    public Response exchange(URI uri, String method, Map<String, String> headers, byte[] body, long maxBodyBytes,
                             boolean failOnLargeBody, Duration timeout) throws FetchException {
        boolean https = uri.getScheme().equalsIgnoreCase("https");
        String host = bareHost(uri);
        int port = uri.getPort() != -1 ? uri.getPort() : (https ? 443 : 80);
        InetAddress address = checkedAddress(host);
        try (Socket raw = new Socket()) {
            raw.setTcpNoDelay(true); // requests are written whole; waiting for ACKs (Nagle) only adds latency
            raw.connect(new InetSocketAddress(address, port), (int) connectTimeout.toMillis());
            long deadline = System.nanoTime() + timeout.toNanos();
            raw.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            Socket socket = https ? tls(raw, host, port) : raw;
            try {
                OutputStream out = socket.getOutputStream();
                String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
                if (uri.getRawQuery() != null) {
                    path += "?" + uri.getRawQuery();
                }
                var head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                        .append("Host: ").append(uri.getHost()).append(uri.getPort() != -1 ? ":" + port : "").append("\r\n");
                headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
                if (body != null) {
                    head.append("Content-Length: ").append(body.length).append("\r\n");
                }
                head.append("Accept-Encoding: identity\r\nConnection: close\r\n\r\n");
                byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
                byte[] request = body == null ? headBytes : Arrays.copyOf(headBytes, headBytes.length + body.length);
                if (body != null) {
                    System.arraycopy(body, 0, request, headBytes.length, body.length);
                }
                out.write(request);
                out.flush();
                return read(new BufferedInputStream(socket.getInputStream()), method, maxBodyBytes, failOnLargeBody, deadline);
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

    private static String bareHost(URI uri) {
        String host = uri.getHost();
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
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
        } catch (NoSuchAlgorithmException e) {
            throw new IOException(e);
        }
    }

    private static Response read(InputStream in, String method, long maxBytes, boolean failOnLarge, long deadline)
            throws IOException, FetchException {
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
        if (method.equals("HEAD") || status == 204 || status == 304 || (status >= 100 && status < 200)) {
            return new Response(status, headers, new byte[0], false);
        }
        var bounded = new BoundedReader(in, maxBytes, failOnLarge, deadline);
        String transfer = headers.getOrDefault("transfer-encoding", "");
        if (transfer.toLowerCase(Locale.ROOT).contains("chunked")) {
            bounded.readChunked();
        } else if (headers.containsKey("content-length")) {
            long length;
            try {
                length = Long.parseLong(headers.get("content-length"));
            } catch (NumberFormatException e) {
                throw new FetchException("the server sent an invalid Content-Length");
            }
            if (length > maxBytes && failOnLarge) {
                throw new FetchException("the body is " + length + " bytes, over the limit of " + maxBytes);
            }
            bounded.read(length);
            if (!bounded.truncated && bounded.out.size() != length) {
                throw new FetchException("the connection closed before the whole body arrived");
            }
        } else {
            bounded.read(-1);
        }
        return new Response(status, headers, bounded.out.toByteArray(), bounded.truncated);
    }

    /** Reads a body under a byte cap and a deadline. */
    private static final class BoundedReader {
        private final InputStream in;
        private final long maxBytes;
        private final boolean failOnLarge;
        private final long deadline;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private boolean truncated;

        BoundedReader(InputStream in, long maxBytes, boolean failOnLarge, long deadline) {
            this.in = in;
            this.maxBytes = maxBytes;
            this.failOnLarge = failOnLarge;
            this.deadline = deadline;
        }

        void readChunked() throws IOException, FetchException {
            while (!truncated) {
                String sizeLine = readLine(in);
                int semi = sizeLine.indexOf(';');
                long size;
                try {
                    size = Long.parseLong((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
                } catch (NumberFormatException e) {
                    throw new FetchException("the server sent an invalid chunked body");
                }
                if (size == 0) {
                    return;
                }
                int before = out.size();
                read(size);
                if (!truncated && out.size() - before != size) {
                    throw new FetchException("the connection closed before the whole body arrived");
                }
                if (!truncated) {
                    readLine(in);
                }
            }
        }

        /** Reads {@code length} bytes, or to the end of the stream when -1. */
        void read(long length) throws IOException, FetchException {
            byte[] buffer = new byte[16 * 1024];
            long remaining = length;
            while (length < 0 || remaining > 0) {
                if (System.nanoTime() > deadline) {
                    throw new FetchException("the transfer took too long");
                }
                int want = length < 0 ? buffer.length : (int) Math.min(buffer.length, remaining);
                int n = in.read(buffer, 0, want);
                if (n < 0) {
                    return;
                }
                long room = maxBytes - out.size();
                if (n > room) {
                    if (failOnLarge) {
                        throw new FetchException("the body is over the limit of " + maxBytes + " bytes");
                    }
                    out.write(buffer, 0, (int) room);
                    truncated = true;
                    return;
                }
                out.write(buffer, 0, n);
                remaining -= n;
            }
        }
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
