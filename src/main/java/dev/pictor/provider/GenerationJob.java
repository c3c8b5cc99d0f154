package dev.pictor.provider;

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

    /** Receives progress in percent (0-100); cheap to call, coalesced by the caller. */
    @FunctionalInterface
    public interface ProgressSink {
        void report(int percent);
    }
}
