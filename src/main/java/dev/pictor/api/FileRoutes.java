package dev.pictor.api;

import java.time.Clock;

import dev.pictor.storage.BlobStore;
import dev.pictor.storage.FileUrls;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;

/** Serves stored outputs at their signed URLs; no API key needed, the signature is the permission. */
public final class FileRoutes implements RouteGroup {
    private final BlobStore blobs;
    private final FileUrls urls;
    private final Clock clock;

    public FileRoutes(BlobStore blobs, FileUrls urls, Clock clock) {
        this.blobs = blobs;
        this.urls = urls;
        this.clock = clock;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get(FileUrls.PATH_PREFIX + "{task_id}/{name}", this::download);
    }

    private void download(Context ctx) throws IOException {
        String taskId = ctx.pathParam("task_id");
        String name = ctx.pathParam("name");
        if (!taskId.matches("[a-z0-9-]{1,64}") || !name.matches("\\d{1,3}\\.(png|jpeg|webp)")) {
            throw ApiException.notFound("file not found");
        }
        String key = taskId + "/" + name;
        String refusal = urls.refusal(key, ctx.queryParam("expires"), ctx.queryParam("sig"));
        if (refusal != null) {
            throw ApiException.forbidden("file link refused: " + refusal);
        }
        var direct = blobs.directUrl(key, remainingLifetime(ctx.queryParam("expires")));
        if (direct.isPresent()) {
            // Presigned: the bucket serves the bytes; the redirect expires when this signed URL does.
            ctx.status(302).header("Location", direct.get().toString()).header("Cache-Control", "no-store");
            return;
        }
        BlobStore.Blob blob = blobs.open(key).orElseThrow(() -> ApiException.notFound("file not found (it may have expired)"));
        ctx.status(200)
                .contentType(contentType(name))
                .header("Cache-Control", "private, max-age=3600")
                .header("X-Content-Type-Options", "nosniff")
                .header("Content-Length", Long.toString(blob.length()))
                .result(blob.stream());
    }

    /** What is left of the link's lifetime (its signature was checked, so expiry parses and lies ahead). */
    private java.time.Duration remainingLifetime(String expires) {
        var left = java.time.Duration.between(clock.instant(), java.time.Instant.ofEpochSecond(Long.parseLong(expires)));
        return left.compareTo(java.time.Duration.ofSeconds(1)) < 0 ? java.time.Duration.ofSeconds(1) : left;
    }

    private static String contentType(String name) {
        return name.endsWith(".png") ? "image/png" : name.endsWith(".webp") ? "image/webp" : "image/jpeg";
    }
}
