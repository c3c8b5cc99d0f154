package dev.pictor.support;

import com.sun.net.httpserver.HttpServer;
import dev.pictor.catalog.ImageFormat;
import dev.pictor.media.ImageEncoder;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * Serves test images and misbehaving answers on loopback: {@code /img/<name>} for registered bodies,
 * {@code /redirect?to=<url>} for redirects, {@code /text} for a non-image.
 */
public final class ImageServer implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, byte[]> bodies = new ConcurrentHashMap<>();

    public ImageServer() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/img/", exchange -> {
            byte[] body = bodies.get(exchange.getRequestURI().getPath().substring("/img/".length()));
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.getResponseHeaders().add("Content-Type", "image/png");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.createContext("/redirect", exchange -> {
            String to = exchange.getRequestURI().getQuery().substring("to=".length());
            exchange.getResponseHeaders().add("Location", java.net.URLDecoder.decode(to, java.nio.charset.StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        server.createContext("/text", exchange -> {
            byte[] body = "<html>not an image</html>".getBytes();
            exchange.getResponseHeaders().add("Content-Type", "image/png");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    /** Registers a generated image (a simple two-colour pattern) and returns its URL. */
    public String image(String name, int width, int height, int rgb) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, ((x / 16 + y / 16) % 2 == 0) ? rgb : 0x202020);
            }
        }
        return body(name, ImageEncoder.encode(image, ImageFormat.PNG));
    }

    public String body(String name, byte[] bytes) {
        bodies.put(name, bytes);
        return url("/img/" + name);
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
