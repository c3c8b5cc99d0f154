package dev.pictor.task;

import dev.pictor.common.Json;
import dev.pictor.common.WireTime;
import dev.pictor.storage.FileUrls;
import dev.pictor.storage.StoredFile;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A task as clients see it: the {@code data} object of the status answer, which is also the body of
 * the task's webhook. Files are listed in both {@code data.files} and {@code data.output.files},
 * because APIDot's own documents disagree on which one clients read.
 */
public final class TaskView {
    /**
     * What a task costs, in credits, for {@code data.credits}: its estimate while open, its charge once
     * ended; null leaves the field out. Lives here as an interface because billing depends on task.
     */
    @FunctionalInterface
    public interface Pricing {
        Pricing NONE = task -> null;

        java.math.BigDecimal credits(Task task);
    }

    private final FileUrls fileUrls;
    private final Pricing pricing;

    public TaskView(FileUrls fileUrls) {
        this(fileUrls, Pricing.NONE);
    }

    public TaskView(FileUrls fileUrls, Pricing pricing) {
        this.fileUrls = fileUrls;
        this.pricing = pricing;
    }

    /**
     * The expiry the file links of {@link #render(Task, Long)} carry if rendered now; it moves once a
     * minute, so an answer rendered for one value can be reused while it holds.
     */
    public long linkExpiry() {
        return fileUrls.expiryFor(fileUrls.defaultLifetime());
    }

    /** The status data with file links valid for the configured lifetime. */
    public ObjectNode render(Task task, Long queuePosition) {
        return render(task, fileUrls.defaultLifetime(), queuePosition);
    }

    /**
     * The status data with file links valid for {@code linkLifetime} from now. {@code queuePosition}
     * (tasks ahead of this one) is shown while the task waits in the queue, else null.
     */
    public ObjectNode render(Task task, Duration linkLifetime, Long queuePosition) {
        ObjectNode data = Json.object();
        data.put("task_id", task.id());
        data.put("status", task.status().wire());
        data.put("model", task.model());
        data.put("provider", task.upstream());
        data.put("progress", task.status() == TaskStatus.FINISHED ? 100 : task.progress());
        data.put("queue_position", queuePosition);
        ArrayNode files = Json.array();
        for (StoredFile f : task.files()) {
            ObjectNode file = files.addObject();
            file.put("file_url", fileUrls.urlFor(f.key(), linkLifetime));
            file.put("file_type", "image");
            file.put("content_type", f.contentType());
            file.put("width", f.width());
            file.put("height", f.height());
            file.put("bytes", f.bytes());
            file.put("provider", f.provider());
        }
        data.set("files", files);
        data.putObject("output").set("files", files.deepCopy());
        data.put("created_time", WireTime.apidot(task.createdAt()));
        data.put("started_time", WireTime.apidot(task.startedAt()));
        data.put("finished_time", WireTime.apidot(task.finishedAt()));
        data.put("created_at", WireTime.rfc3339(task.createdAt()));
        data.put("started_at", WireTime.rfc3339(task.startedAt()));
        data.put("finished_at", WireTime.rfc3339(task.finishedAt()));
        data.put("error_code", task.errorCode() == null ? null : task.errorCode().wire());
        data.put("error_message", task.errorMessage());
        data.set("metadata", Metadata.toJson(task.metadata()));
        java.math.BigDecimal credits = pricing.credits(task);
        if (credits != null) {
            data.put("credits", credits);
        }
        ArrayNode attempts = data.putArray("attempts");
        task.routeLog().forEach(entry -> attempts.add(entry.toWire()));
        return data;
    }

    /** The whole answer of the status endpoint: {@code {"code":200,"data":{...}}}. */
    public ObjectNode envelope(Task task, Duration linkLifetime) {
        ObjectNode envelope = Json.object();
        envelope.put("code", 200);
        envelope.set("data", render(task, linkLifetime, null));
        return envelope;
    }

}
