package dev.pictor.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class TaskIdsTest {
    /** The language looksValid hand-codes; it must accept exactly these strings (up to 64 characters). */
    private static final Pattern SHAPE = Pattern.compile("task-unified-\\d{1,12}-[a-z0-9]{4,32}");

    private static boolean byRegex(String id) {
        return id != null && id.length() <= 64 && SHAPE.matcher(id).matches();
    }

    @Test
    void newIdsLookValid() {
        var ids = new TaskIds();
        for (int i = 0; i < 100; i++) {
            assertThat(TaskIds.looksValid(ids.next(Instant.ofEpochSecond(1_795_263_834L)))).isTrue();
        }
    }

    @Test
    void idsOfLaterMillisecondsSortAfterEarlierOnes() {
        var ids = new TaskIds();
        Instant second = Instant.ofEpochSecond(1_795_263_834L);
        String previous = null;
        for (int ms = 0; ms < 1000; ms++) {
            String id = ids.next(second.plusMillis(ms));
            assertThat(id).hasSize("task-unified-1795263834-".length() + 20);
            if (previous != null) {
                assertThat(id).as("ms %d", ms).isGreaterThan(previous);
            }
            previous = id;
        }
        // The 18 random characters still differ between ids of the same millisecond.
        var sameMillisecond = new java.util.HashSet<String>();
        for (int i = 0; i < 1000; i++) {
            sameMillisecond.add(ids.next(second).substring("task-unified-1795263834-".length() + 2));
        }
        assertThat(sameMillisecond).hasSize(1000);
    }

    @Test
    void everyRandomPositionUsesAllThirtySixCharactersAboutEqually() {
        var ids = new TaskIds();
        int n = 36_000;
        int[][] counts = new int[18][36];
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        int start = "task-unified-1795263834-".length() + 2;
        for (int i = 0; i < n; i++) {
            String random = ids.next(Instant.ofEpochSecond(1_795_263_834L)).substring(start);
            assertThat(random).hasSize(18);
            for (int p = 0; p < 18; p++) {
                counts[p][alphabet.indexOf(random.charAt(p))]++;
            }
        }
        // 1,000 expected per cell, standard deviation about 31: 800-1,200 is over six of them
        for (int p = 0; p < 18; p++) {
            for (int c = 0; c < 36; c++) {
                assertThat(counts[p][c]).as("position %d, '%s'", p, alphabet.charAt(c)).isBetween(800, 1200);
            }
        }
    }

    @Test
    void acceptsExactlyWhatThePatternAccepts() {
        String[] fixed = {null, "", "task-unified-", "task-unified-1-abcd", "task-unified-1-abc", "task-unified--abcd",
                "task-unified-1234567890123-abcd", "task-unified-123456789012-abcd", "task-unified-1-" + "a".repeat(32),
                "task-unified-1-" + "a".repeat(33), "task-unified-1-ABCD", "task-unified-1-ab_d", "task-unified-1abcd",
                "Task-unified-1-abcd", "task-unified-1-abcd ", "task-unified-١-abcd", "task-unified-1-abcd-efgh",
                "task-unified-12345678901-" + "z".repeat(32)};
        for (String id : fixed) {
            assertThat(TaskIds.looksValid(id)).as(String.valueOf(id)).isEqualTo(byRegex(id));
        }
        // Random mutations of valid ids: drop, insert or replace a character, with characters near the edges of each class.
        var random = new Random(42);
        String alphabet = "09az-AZ_/:@`{٣";
        var ids = new TaskIds();
        for (int i = 0; i < 20_000; i++) {
            var sb = new StringBuilder(ids.next(Instant.ofEpochSecond(random.nextInt(Integer.MAX_VALUE))));
            for (int edits = random.nextInt(3); edits >= 0; edits--) {
                int at = random.nextInt(sb.length());
                char c = alphabet.charAt(random.nextInt(alphabet.length()));
                switch (random.nextInt(3)) {
                    case 0 -> sb.deleteCharAt(at);
                    case 1 -> sb.insert(at, c);
                    default -> sb.setCharAt(at, c);
                }
            }
            String id = sb.toString();
            assertThat(TaskIds.looksValid(id)).as(id).isEqualTo(byRegex(id));
        }
    }
}
