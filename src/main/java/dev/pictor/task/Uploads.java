package dev.pictor.task;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Pattern;

/**
 * Source images uploaded with a request (the OpenAI edits endpoint) are kept in the BlobStore under
 * their task's id and referenced from the task's {@code image_urls} by a URL on a reserved host
 * ({@code .invalid} never resolves, RFC 2606). Such a URL is never fetched over the network, and
 * only the task it was made for can read it: a client that puts one in its own request gets
 * nothing, because it cannot know the id of the task it is creating.
 */
public final class Uploads {
    static final String HOST = "upload.pictor.invalid";

    private Uploads() {
    }

    /** The reference stored in {@code image_urls} for upload {@code index} of {@code taskId}. */
    public static String reference(String taskId, int index, String extension) {
        return "https://" + HOST + "/" + taskId + "/source-" + index + "." + extension;
    }

    /** The blob key of an upload reference of this task, or null when {@code url} is not one of its uploads. */
    static String keyFor(String taskId, String url) {
        try {
            URI uri = new URI(url);
            if (!HOST.equals(uri.getHost()) || uri.getPath() == null) {
                return null;
            }
            String key = uri.getPath().substring(1);
            return key.matches(Pattern.quote(taskId) + "/source-\\d{1,2}\\.(png|jpeg|webp|gif)") ? key : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    static boolean isUploadReference(String url) {
        try {
            return HOST.equals(new URI(url).getHost());
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
