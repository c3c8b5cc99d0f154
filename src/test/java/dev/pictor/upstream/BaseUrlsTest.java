package dev.pictor.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BaseUrlsTest {
    @Test
    void stripsTrailingSlashesAndTheVersionPathInEitherSpelling() {
        assertThat(BaseUrls.root("https://api.openai.com/v1", "/v1")).isEqualTo("https://api.openai.com");
        assertThat(BaseUrls.root("https://api.openai.com/v1/", "/v1")).isEqualTo("https://api.openai.com");
        assertThat(BaseUrls.root("https://api.openai.com", "/v1")).isEqualTo("https://api.openai.com");
        assertThat(BaseUrls.root("https://api.openai.com//", "/v1")).isEqualTo("https://api.openai.com");
        assertThat(BaseUrls.root(" https://dashscope-intl.aliyuncs.com/API/V1 ", "/api/v1")).isEqualTo("https://dashscope-intl.aliyuncs.com");
        assertThat(BaseUrls.root("https://proxy.example/openai/v1", "/v1")).isEqualTo("https://proxy.example/openai");
        assertThat(BaseUrls.root("https://api-singapore.klingai.com/", "")).isEqualTo("https://api-singapore.klingai.com");
    }

    @Test
    void leavesAPathThatOnlyEndsLikeTheVersionAlone() {
        assertThat(BaseUrls.root("https://example.com/rev1", "/v1")).isEqualTo("https://example.com/rev1");
    }
}
