package dev.pictor.catalog;

/** A request the catalog rejects; {@code field} names the offending input (e.g. {@code input.size}). */
public class InvalidInputException extends RuntimeException {
    private final String field;

    public InvalidInputException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
