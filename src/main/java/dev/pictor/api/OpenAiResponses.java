package dev.pictor.api;

import dev.pictor.catalog.ModelSpec;
import dev.pictor.common.Json;
import dev.pictor.storage.BlobStore;
import dev.pictor.storage.FileUrls;
import dev.pictor.storage.StoredFile;
import dev.pictor.task.Task;
import java.io.IOException;
import java.io.InputStream;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAI Images answer bodies: {@code created} and {@code data[]} with a {@code url} or the
 * image itself as {@code b64_json} for a finished task, and the {@code /v1/models} list.
 */
final class OpenAiResponses {
    /** A fixed {@code created} for every model: OpenAI's SDKs require the field, and a model has no creation date here. */
    private static final long MODELS_CREATED = 1_795_000_000L;

    private final BlobStore blobs;
    private final FileUrls fileUrls;

    OpenAiResponses(BlobStore blobs, FileUrls fileUrls) {
        this.blobs = blobs;
        this.fileUrls = fileUrls;
    }

    /**
     * The body for {@code done}, a finished task, answering {@code request}. {@code outputs}: bytes of
     * its files by key that the caller already has (the run that just ended it here); a file not
     * among them is read from the blob store.
     */
    ObjectNode images(Task done, OpenAiRequest request, Map<String, byte[]> outputs) throws IOException {
        ObjectNode body = Json.object();
        body.put("created", done.createdAt().getEpochSecond());
        var data = body.putArray("data");
        for (StoredFile file : done.files()) {
            ObjectNode item = data.addObject();
            if (request.responseFormat().equals("url")) {
                item.put("url", fileUrls.urlFor(file.key()));
            } else {
                item.put("b64_json", Base64.getEncoder().encodeToString(bytesOf(file, outputs)));
            }
        }
        if (!done.files().isEmpty()) {
            StoredFile first = done.files().getFirst();
            body.put("background", "opaque");
            body.put("output_format", first.contentType().substring("image/".length()));
            body.put("size", first.width() + "x" + first.height());
        }
        if (request.quality() != null) {
            body.put("quality", request.quality());
        }
        return body;
    }

    private byte[] bytesOf(StoredFile file, Map<String, byte[]> outputs) throws IOException {
        byte[] bytes = outputs.get(file.key());
        if (bytes != null) {
            return bytes;
        }
        BlobStore.Blob blob = blobs.open(file.key()).orElseThrow(() -> new IOException("output " + file.key() + " is missing"));
        try (InputStream in = blob.stream()) {
            return in.readAllBytes();
        }
    }

    static ObjectNode models(Collection<ModelSpec> models) {
        ObjectNode body = Json.object().put("object", "list");
        var data = body.putArray("data");
        for (ModelSpec spec : models) {
            data.addObject().put("id", spec.id()).put("object", "model").put("created", MODELS_CREATED).put("owned_by", "pictor");
        }
        return body;
    }
}
