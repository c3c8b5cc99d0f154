package dev.pictor.upstream;

import dev.pictor.catalog.Dimensions;
import dev.pictor.catalog.GenerationRequest;
import dev.pictor.media.SourceImage;
import java.util.List;

/**
 * One generation: the validated request, the upstream model id of the route serving it (null for the
 * sandbox), its source images already fetched and checked (in {@code image_urls} order; empty when
 * polling), and where to report progress.
 */
public record GenerationJob(String taskId, GenerationRequest request, String upstreamModel, List<SourceImage> sources,
                            ProgressSink progress) {

    /** The pixel size the output should have: fixed by the request, or the first source's aspect ratio. */
    public Dimensions outputSize() {
        return request.size().resolve(sources.isEmpty()
                ? new Dimensions(1, 1) : new Dimensions(sources.getFirst().width(), sources.getFirst().height()));
    }

    /** Receives progress in percent (0-100); cheap to call, coalesced by the caller. */
    @FunctionalInterface
    public interface ProgressSink {
        void report(int percent);
    }
}
