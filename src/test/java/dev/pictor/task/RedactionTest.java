package dev.pictor.task;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactionTest {
    private static final String PROMPT = "a lighthouse at dusk, oil painting";

    @Test
    void thePromptIsReplacedWhereverTheMessageQuotesIt() {
        assertThat(Redaction.redact("rejected: '" + PROMPT + "' (" + PROMPT + ")", PROMPT)).isEqualTo("rejected: '[prompt]' ([prompt])");
    }

    @Test
    void aLongMessageIsClippedAndAPromptAcrossTheCutLeavesNothingBehind() {
        String message = "x".repeat(290) + PROMPT + "y".repeat(100);
        String redacted = Redaction.redact(message, PROMPT);
        assertThat(redacted).hasSize(Redaction.MAX_MESSAGE_CHARS).doesNotContain("lighthouse").endsWith("[prompt]" + "y".repeat(2));
        assertThat(Redaction.redact("z".repeat(1000), null)).hasSize(Redaction.MAX_MESSAGE_CHARS);
    }

    @Test
    void aShortPromptIsLeftAloneSoOrdinaryWordsSurvive() {
        assertThat(Redaction.redact("the cat service is unavailable", "cat")).isEqualTo("the cat service is unavailable");
    }

    @Test
    void nothingToRedactStaysAsItIs() {
        assertThat(Redaction.redact(null, PROMPT)).isNull();
        assertThat(Redaction.redact("HTTP 503", null)).isEqualTo("HTTP 503");
        assertThat(Redaction.redact("HTTP 503", PROMPT)).isEqualTo("HTTP 503");
    }
}
