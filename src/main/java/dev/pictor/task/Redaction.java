package dev.pictor.task;

/**
 * Keeps the prompt out of upstream messages that are stored and shown: the route log and a failed
 * task's {@code error_message} (which also goes out in the webhook). Upstreams sometimes quote the
 * request in their errors, and both are kept as long as the task, so the prompt is replaced and the
 * message clipped.
 */
final class Redaction {
    /** Longer messages are clipped: the route log is a summary, and the column has a budget. */
    static final int MAX_MESSAGE_CHARS = 300;
    /** Shorter prompts are not replaced: "cat" would also blank every "cat" in an error text. */
    static final int MIN_PROMPT_CHARS = 8;

    private Redaction() {
    }

    /** {@code message} without {@code prompt} (null when unknown), at most {@value #MAX_MESSAGE_CHARS} characters; null stays null. */
    static String redact(String message, String prompt) {
        return redact(message, prompt, MAX_MESSAGE_CHARS);
    }

    /** The same, clipped at {@code maxChars}: a terminal message carries a suffix ("gave up after ...") past the upstream's text. */
    static String redact(String message, String prompt, int maxChars) {
        if (message == null) {
            return null;
        }
        // Replace before clipping, so a prompt cut in two by the clip cannot leave its first half behind.
        String text = prompt != null && prompt.length() >= MIN_PROMPT_CHARS ? message.replace(prompt, "[prompt]") : message;
        return text.length() > maxChars ? text.substring(0, maxChars) : text;
    }
}
