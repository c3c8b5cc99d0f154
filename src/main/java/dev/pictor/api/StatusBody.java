package dev.pictor.api;

import dev.pictor.Json;
import dev.pictor.storage.FileUrls;
import dev.pictor.storage.StoredFile;
import dev.pictor.task.Task;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code data} object of a task's status: the same for the status endpoint and (later) webhooks.
 * Files are listed in both {@code data.files} and {@code data.output.files}, because APIDot's own
 * documents disagree on which one clients read.
 */
final class StatusBody {
    private final FileUrls fileUrls;

    StatusBody(FileUrls fileUrls) {
        this.fileUrls = fileUrls;
    }

    ObjectNode render(Task task) {
        ObjectNode data = Json.object();
        data.put("task_id", task.id());
        data.put("status", task.status().wire());
        data.put("model", task.model());
        data.put("provider", task.provider());
        data.put("progress", task.status() == dev.pictor.task.TaskStatus.FINISHED ? 100 : task.progress());
        ArrayNode files = Json.array();
        for (StoredFile f : task.files()) {
            ObjectNode file = files.addObject();
            file.put("file_url", fileUrls.urlFor(f.key()));
            file.put("file_type", "image");
            file.put("content_type", f.contentType());
            file.put("width", f.width());
            file.put("height", f.height());
            file.put("bytes", f.bytes());
            file.put("provider", f.provider());
        }
        data.set("files", files);
        data.putObject("output").set("files", files.deepCopy());
        data.put("created_time", HttpJson.time(task.createdAt()));
        data.put("started_time", HttpJson.time(task.startedAt()));
        data.put("finished_time", HttpJson.time(task.finishedAt()));
        data.put("error_code", task.errorCode() == null ? null : task.errorCode().wire());
        data.put("error_message", task.errorMessage());
        return data;
    }
}
