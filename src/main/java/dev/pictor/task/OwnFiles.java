package dev.pictor.task;

import dev.pictor.catalog.InvalidInputException;
import dev.pictor.media.ImageProbe;
import dev.pictor.media.SourceImage;
import dev.pictor.net.FetchException;
import dev.pictor.storage.BlobStore;
import dev.pictor.storage.FileUrls;
import java.io.IOException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Pictor's own file URLs used as source images ("edit this result"). A URL whose signature this
 * installation made names an output of one of its tasks; when that task belongs to the same tenant,
 * the file is read from storage, never fetched over the network. So the follow-up works after the
 * link expired, behind a balancer whose address the node cannot reach, and without the SSRF fetcher
 * refusing the loopback address of a local install. A signed URL of another tenant's task is refused
 * at submit exactly like one whose file is gone, so it reveals nothing about that task.
 */
final class OwnFiles {
    /** Output keys as TaskRunner writes them: {@code <task id>/<index>.<extension>}. */
    private static final Pattern OUTPUT_KEY = Pattern.compile("(task-unified-\\d{1,12}-[a-z0-9]{4,32})/\\d{1,3}\\.(png|jpeg|webp|gif)");

    private final FileUrls urls;
    private final TaskStore store;
    private final BlobStore blobs;

    OwnFiles(FileUrls urls, TaskStore store, BlobStore blobs) {
        this.urls = urls;
        this.store = store;
        this.blobs = blobs;
    }

    /** The blob key of an output that {@code url} names with a signature of ours, or empty for any other URL. */
    Optional<String> outputKey(String url) {
        return urls.signedKey(url).filter(key -> OUTPUT_KEY.matcher(key).matches());
    }

    /** At submit: an own URL must name a file the tenant still has; any other URL passes untouched. */
    void checkAtSubmit(String tenantId, String model, int index, String url) {
        outputKey(url).ifPresent(key -> {
            if (!ownedAndStored(tenantId, key)) {
                throw new InvalidInputException("input.image_urls[" + index + "]", "image_urls[" + index + "] is a Pictor file URL"
                        + " that does not name a stored output of one of your tasks (the task or its files were deleted); model " + model);
            }
        });
    }

    /** When the task runs: the output's bytes from storage. */
    SourceImage read(String tenantId, String key) throws FetchException {
        if (!ownedAndStored(tenantId, key)) {
            throw new FetchException("the Pictor file it names was deleted");
        }
        return readBlob(blobs, key, "the Pictor file it names was deleted");
    }

    private boolean ownedAndStored(String tenantId, String key) {
        var matcher = OUTPUT_KEY.matcher(key);
        if (!matcher.matches()) {
            return false;
        }
        return store.find(tenantId, matcher.group(1))
                .map(task -> task.files().stream().anyMatch(file -> file.key().equals(key)))
                .orElse(false);
    }

    /** A stored image as a source: bytes, type sniffed from the bytes, and its size. */
    static SourceImage readBlob(BlobStore blobs, String key, String missingReason) throws FetchException {
        try {
            var blob = blobs.open(key).orElseThrow(() -> new FetchException(missingReason));
            byte[] bytes;
            try (var in = blob.stream()) {
                bytes = in.readAllBytes();
            }
            String type = ImageProbe.sniff(bytes);
            if (type == null) {
                throw new FetchException("the stored file is not an image");
            }
            int[] size = ImageProbe.dimensions(bytes, type);
            return new SourceImage(bytes, type, size[0], size[1]);
        } catch (IOException e) {
            throw new FetchException("the stored image cannot be read");
        }
    }
}
