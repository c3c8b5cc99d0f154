package dev.pictor.api;

import dev.pictor.storage.BlobStore;
import dev.pictor.storage.FileUrls;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;

/** Serves stored outputs at their signed URLs; no API key needed, the signature is the permission. */
public final class FileRoutes implements RouteGroup {
    private final BlobStore blobs;
    private final FileUrls urls;

    public FileRoutes(BlobStore blobs, FileUrls urls) {
        this.blobs = blobs;
        this.urls = urls;
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
        BlobStore.Blob blob = blobs.open(key).orElseThrow(() -> ApiException.notFound("file not found (it may have expired)"));
        ctx.status(200)
                .contentType(contentType(name))
                .header("Cache-Control", "private, max-age=3600")
                .header("X-Content-Type-Options", "nosniff")
                .header("Content-Length", Long.toString(blob.length()))
                .result(blob.stream());
    }

    private static String contentType(String name) {
        return name.endsWith(".png") ? "image/png" : name.endsWith(".webp") ? "image/webp" : "image/jpeg";
    }
}
