package dev.pictor.client;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * A task as the status call (and a webhook body) gives it. Only the fields of APIDot's published
 * examples are required; Pictor's additive fields are read when present.
 */
public record Task(String taskId, String status, String model, String provider, Integer progress,
                   List<File> files, Instant createdTime, Instant startedTime, Instant finishedTime,
                   String errorCode, String errorMessage, JsonNode raw) {

    public record File(String fileUrl, String fileType, String contentType, Integer width, Integer height) {
    }

    public boolean terminal() {
        return "finished".equals(status) || "failed".equals(status);
    }

    public boolean finished() {
        return "finished".equals(status);
    }

    /** Parses a status body's {@code data} object. */
    public static Task from(JsonNode data) {
        List<File> files = new ArrayList<>();
        JsonNode list = data.path("files");
        if (!list.isArray()) {
            // APIDot's "variant A" carries the files under output.files only.
            list = data.path("output").path("files");
        }
        for (JsonNode f : list) {
            files.add(new File(text(f, "file_url"), text(f, "file_type"), text(f, "content_type"),
                    integer(f, "width"), integer(f, "height")));
        }
        return new Task(text(data, "task_id"), text(data, "status"), text(data, "model"), text(data, "provider"),
                integer(data, "progress"), List.copyOf(files), time(text(data, "created_time")),
                time(text(data, "started_time")), time(text(data, "finished_time")), text(data, "error_code"),
                text(data, "error_message"), data);
    }

    /**
     * APIDot sends {@code 2026-04-19T21:19:42} (UTC, no offset), Pictor today sends {@code ...Z}:
     * both are accepted, and any other offset too.
     */
    static Instant time(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        char last = value.charAt(value.length() - 1);
        if (last == 'Z' || last == 'z' || value.matches(".*[+-]\\d\\d:?\\d\\d$")) {
            return OffsetDateTime.parse(value).toInstant();
        }
        return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asString();
    }

    static Integer integer(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || !v.isNumber() ? null : v.asInt();
    }

    @Override
    public String toString() {
        // The file URLs carry download signatures: keep them out of log lines that print a task.
        return "Task[" + taskId + ", " + status + ", model=" + model + ", files=" + files.size()
                + (errorCode == null ? "" : ", error_code=" + errorCode) + "]";
    }
}
