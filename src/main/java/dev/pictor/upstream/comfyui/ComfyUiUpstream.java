package dev.pictor.upstream.comfyui;

import dev.pictor.catalog.Dimensions;
import dev.pictor.catalog.GenerationRequest;
import dev.pictor.common.ErrorCode;
import dev.pictor.common.Json;
import dev.pictor.media.SourceImage;
import dev.pictor.upstream.BaseUrls;
import dev.pictor.upstream.GenerationJob;
import dev.pictor.upstream.Upstream;
import dev.pictor.upstream.UpstreamContext;
import dev.pictor.upstream.UpstreamDefinition;
import dev.pictor.upstream.UpstreamDefinition.Setting;
import dev.pictor.upstream.UpstreamException;
import dev.pictor.upstream.UpstreamHttp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * ComfyUI (a local engine, asynchronous through its prompt queue): one API-format workflow per model
 * ({@link Workflow} has the placeholders), sources uploaded with {@code POST /upload/image}, the
 * filled workflow queued with {@code POST /prompt}, its state read from {@code GET /history/{id}} and
 * {@code GET /queue}, its images fetched with {@code GET /view}. Cancel deletes a queued prompt
 * ({@code POST /queue {"delete": [id]}}) or interrupts the running one ({@code POST /interrupt}).
 *
 * <p><b>No second submit after a crash.</b> The prompt id is chosen here, derived from the task id and
 * the workflow name, and sent as ComfyUI's {@code prompt_id}. Before queuing, the adapter looks that id
 * up in the queue and the history: a node that crashed between ComfyUI accepting the prompt and Pictor
 * storing its id finds the prompt again instead of queuing it twice. The seed, when the client gave
 * none, is derived from the same id, so even a ComfyUI that ignores {@code prompt_id} (older builds)
 * would paint the same picture again rather than a different one.
 *
 * <p><b>Tasks wait in Pictor's queue.</b> ComfyUI would accept any number of prompts; the adapter
 * queues one only while ComfyUI's queue (running and pending, anyone's) holds fewer than
 * {@code PICTOR_COMFYUI_CONCURRENCY} (default 1). Otherwise the task waits as a Pictor job reference
 * {@code wait:<prompt id>:<width>x<height>:<source extensions>} with its sources already uploaded, and a
 * later poll queues it: until then it can be cancelled or time out without ComfyUI hearing of it.
 */
public final class ComfyUiUpstream implements Upstream {
    public static final String NAME = "comfyui";
    public static final UpstreamDefinition DEFINITION = new UpstreamDefinition(NAME, "ComfyUI",
            List.of(Setting.required("PICTOR_COMFYUI_URL"), Setting.required("PICTOR_COMFYUI_WORKFLOWS"),
                    Setting.optional("PICTOR_COMFYUI_CONCURRENCY", "1")),
            Map.of(),
            (config, context) -> new ComfyUiUpstream(config.get("PICTOR_COMFYUI_URL"),
                    Workflows.load(Path.of(config.get("PICTOR_COMFYUI_WORKFLOWS")), context.catalog(), context.routes()),
                    Integer.parseInt(config.get("PICTOR_COMFYUI_CONCURRENCY")), context));

    private static final String WAIT = "wait:";

    private final String baseUrl;
    private final Workflows workflows;
    private final int concurrency;
    private final ComfyUiApi api;
    private final UpstreamHttp http;
    private final Duration pollInterval;

    ComfyUiUpstream(String baseUrl, Workflows workflows, int concurrency, UpstreamContext context) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("PICTOR_COMFYUI_CONCURRENCY must be at least 1");
        }
        // ComfyUI serves every route with and without /api: the base is used as given, without trailing slashes.
        this.baseUrl = BaseUrls.root(baseUrl, "");
        this.workflows = workflows;
        this.concurrency = concurrency;
        this.http = context.http();
        this.api = new ComfyUiApi(this.baseUrl, http);
        this.pollInterval = context.pollInterval();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int concurrency() {
        return concurrency;
    }

    @Override
    public Optional<Map<String, String>> servedModels() {
        return Optional.of(workflows.served());
    }

    @Override
    public Outcome start(GenerationJob job) throws UpstreamException, InterruptedException {
        Workflow workflow = workflowOf(job);
        String id = promptId(job.taskId(), workflow.name());
        Outcome earlier = earlierSubmit(job, workflow, id);
        if (earlier != null) {
            return earlier;
        }
        List<SourceImage> sources = job.sources();
        if (workflow.images() > sources.size()) {
            throw new UpstreamException(ErrorCode.INVALID_INPUT, "image_urls: the comfyui workflow for " + job.request().model() + " uses "
                    + workflow.images() + " source images, got " + sources.size(), false);
        }
        List<String> extensions = new ArrayList<>();
        for (int i = 0; i < workflow.images(); i++) {
            SourceImage source = sources.get(i);
            String extension = source.contentType().substring("image/".length());
            api.upload(uploadName(id, i, extension), source);
            extensions.add(extension);
        }
        job.progress().report(1);
        return queueWhenRoom(job, workflow, id, job.outputSize(), extensions);
    }

    @Override
    public Outcome poll(GenerationJob job, String upstreamRef) throws UpstreamException, InterruptedException {
        Workflow workflow = workflowOf(job);
        if (upstreamRef.startsWith(WAIT)) {
            String[] parts = upstreamRef.substring(WAIT.length()).split(":", -1);
            String id = parts[0];
            // a crash may have come between queuing the prompt and storing its id: look before queuing
            ComfyUiApi.Seen seen = api.find(id);
            if (seen.entry() != null) {
                return finished(job, workflow, seen.entry());
            }
            if (seen.position() >= 0) {
                return pending(id, seen.position());
            }
            String[] size = parts[1].split("x");
            List<String> extensions = parts[2].isEmpty() ? List.of() : List.of(parts[2].split(","));
            return queueWhenRoom(job, workflow, id, new Dimensions(Integer.parseInt(size[0]), Integer.parseInt(size[1])), extensions);
        }
        JsonNode entry = api.history(upstreamRef);
        if (entry != null) {
            return finished(job, workflow, entry);
        }
        ComfyUiApi.Seen seen = api.find(upstreamRef);
        if (seen.entry() != null) {
            return finished(job, workflow, seen.entry());
        }
        if (seen.position() >= 0) {
            return pending(upstreamRef, seen.position());
        }
        throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, "comfyui has no record of prompt " + upstreamRef
                + " in its queue or history (was ComfyUI restarted, or its queue cleared?); the task is not queued again", false);
    }

    @Override
    public void cancel(String upstreamRef) {
        if (upstreamRef.startsWith(WAIT)) {
            return; // still waiting in Pictor: ComfyUI never had it
        }
        try {
            api.stop(upstreamRef);
        } catch (UpstreamException e) {
            // best effort: ComfyUI may be gone, or the prompt already done
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * What an earlier start of the same task left in ComfyUI: a queued or running prompt is adopted, a
     * finished one collected; a failed one (an earlier attempt) is removed from the history so the new
     * run's entry cannot be mistaken for it. Null when a new prompt must be queued.
     */
    private Outcome earlierSubmit(GenerationJob job, Workflow workflow, String id) throws UpstreamException, InterruptedException {
        ComfyUiApi.Seen seen = api.find(id);
        if (seen.position() >= 0) {
            return pending(id, seen.position());
        }
        if (seen.entry() == null) {
            return null;
        }
        if (!"error".equals(seen.entry().path("status").path("status_str").asString(""))) {
            return finished(job, workflow, seen.entry());
        }
        api.forget(id);
        return null;
    }

    private Outcome queueWhenRoom(GenerationJob job, Workflow workflow, String id, Dimensions size, List<String> extensions)
            throws UpstreamException, InterruptedException {
        ComfyUiApi.Queue queue = api.queue();
        if (queue.size() >= concurrency) {
            return new Outcome.Pending(WAIT + id + ":" + size.width() + "x" + size.height() + ":" + String.join(",", extensions), 1, pollInterval);
        }
        GenerationRequest request = job.request();
        JsonNodeFactory nodes = Json.MAPPER.getNodeFactory();
        Map<String, JsonNode> values = new HashMap<>();
        values.put("prompt", nodes.stringNode(request.prompt()));
        values.put("seed", nodes.numberNode(request.seed() != null ? request.seed() : UUID.fromString(id).getLeastSignificantBits() & 0xffff_ffffL));
        values.put("width", nodes.numberNode(size.width()));
        values.put("height", nodes.numberNode(size.height()));
        values.put("count", nodes.numberNode(request.imageCount()));
        for (int i = 0; i < extensions.size(); i++) {
            values.put("image_" + (i + 1), nodes.stringNode(uploadName(id, i, extensions.get(i))));
        }
        Workflow.Filled filled = workflow.fill(values);
        String accepted = api.queuePrompt(filled, workflow.name(), id, job.taskId());
        return pending(accepted, queue.size());
    }

    private Outcome pending(String id, int position) {
        // 0 is running; 1 next in line, and so on: the closer to the front, the higher the (small) progress
        return new Outcome.Pending(id, position == 0 ? 50 : Math.max(2, 10 - Math.min(position, 8)), pollInterval);
    }

    private Outcome finished(GenerationJob job, Workflow workflow, JsonNode entry) throws UpstreamException, InterruptedException {
        JsonNode status = entry.path("status");
        if ("error".equals(status.path("status_str").asString(""))) {
            throw ComfyUiErrors.execution(workflow.name(), status.path("messages"));
        }
        return new Outcome.Done(api.outputs(entry, workflow.name(), job.request().imageCount(), job.request().format()));
    }

    private Workflow workflowOf(GenerationJob job) throws UpstreamException {
        String name = job.upstreamModel() == null || job.upstreamModel().isBlank() ? job.request().model() : job.upstreamModel();
        return workflows.find(name).orElseThrow(() -> new UpstreamException(ErrorCode.UPSTREAM_ERROR,
                "comfyui has no workflow " + name + ".json; the operator should check PICTOR_COMFYUI_WORKFLOWS and PICTOR_ROUTES", false));
    }

    /** The same task on the same workflow always gets the same prompt id (a name-based UUID, which ComfyUI's id check accepts). */
    static String promptId(String taskId, String workflow) {
        return UUID.nameUUIDFromBytes(("pictor:" + taskId + ":" + workflow).getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static String uploadName(String id, int index, String extension) {
        return "pictor-" + id + "-" + (index + 1) + "." + extension;
    }
}
