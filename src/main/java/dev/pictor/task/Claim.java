package dev.pictor.task;

/**
 * A worker's hold on a queued task. The token fences every later write: a worker whose lease was
 * taken over by another node cannot complete the task any more.
 */
public record Claim(Task task, String token, int attempt) {
    public String taskId() {
        return task.id();
    }
}
