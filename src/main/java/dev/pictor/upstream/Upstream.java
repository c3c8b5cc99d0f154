package dev.pictor.upstream;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An engine that turns a validated request into images: the sandbox, or an adapter for an upstream.
 *
 * <p>A synchronous upstream answers {@link #start} with {@link Outcome.Done}. An asynchronous one
 * answers with {@link Outcome.Pending} and the upstream's job reference; Pictor stores that reference
 * before anything else happens, and later calls {@link #poll} from whichever node claims the task's
 * next poll (a row with a due time, not a sleeping thread). After a crash the next owner polls the
 * same upstream job instead of submitting again.
 *
 * <p>Calls block (they run on virtual threads) and must give up promptly when interrupted, which is
 * how the task's deadline, cancel and shutdown reach them. Exceptions carry an error code and whether
 * trying again (later, or on another route) can help.
 */
public interface Upstream {

    /** The route name stored with the task and shown as {@code provider} in the status body. */
    String name();

    /** Maximum concurrent calls on one node. */
    int concurrency();

    /**
     * The catalog models this upstream routes by default, with its own model ids, when that depends on
     * its settings (a local engine serves the models it has a workflow file for); empty to use its
     * {@link UpstreamDefinition#models()}.
     */
    default Optional<Map<String, String>> servedModels() {
        return Optional.empty();
    }

    /** Runs the generation (sync upstreams) or submits it (async upstreams). */
    Outcome start(GenerationJob job) throws UpstreamException, InterruptedException;

    /** Checks a job {@link #start} submitted. */
    default Outcome poll(GenerationJob job, String upstreamRef) throws UpstreamException, InterruptedException {
        throw new IllegalStateException(name() + " has no asynchronous jobs to poll");
    }

    /** Asks the upstream to stop a submitted job, where it can; best effort, never throws. */
    default void cancel(String upstreamRef) {
    }

    /** What a call came to. */
    sealed interface Outcome {
        /** The images, downloaded or decoded and checked, and what the upstream reported it used for them. */
        record Done(List<GeneratedImage> images, UpstreamUsage usage) implements Outcome {
            public Done {
                usage = usage == null ? UpstreamUsage.NONE : usage;
            }

            /** An upstream that reports no usage. */
            public Done(List<GeneratedImage> images) {
                this(images, UpstreamUsage.NONE);
            }
        }

        /** Still running upstream: poll again after {@code pollAfter}. */
        record Pending(String upstreamRef, int progress, Duration pollAfter) implements Outcome {
        }
    }
}
