package dev.pictor.task;

/** The four wire statuses of the APIDot contract; only finished and failed are terminal. */
public enum TaskStatus {
    NOT_STARTED("not_started"),
    RUNNING("running"),
    FINISHED("finished"),
    FAILED("failed");

    private final String wire;

    TaskStatus(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public boolean isTerminal() {
        return this == FINISHED || this == FAILED;
    }

    public static TaskStatus fromWire(String value) {
        for (TaskStatus s : values()) {
            if (s.wire.equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown task status " + value);
    }
}
