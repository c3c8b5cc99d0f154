package dev.pictor.provider;

import java.util.List;

/**
 * An engine that turns a validated request into images: the sandbox, or an adapter for an upstream.
 * Calls block (they run on virtual threads) and must give up promptly when interrupted, which is how
 * the task's deadline and shutdown reach them.
 */
public interface ImageProvider {

    /** The route name stored with the task and shown as {@code provider} in the status body. */
    String name();

    /** Maximum concurrent generations on one node. */
    int concurrency();

    List<GeneratedImage> generate(GenerationJob job) throws ProviderException, InterruptedException;
}
