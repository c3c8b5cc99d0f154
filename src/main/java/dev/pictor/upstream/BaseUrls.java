package dev.pictor.upstream;

import java.util.Locale;

/**
 * Base URLs as operators paste them. Vendors' SDKs write the base with or without the API version
 * ({@code https://api.openai.com/v1}, {@code https://dashscope-intl.aliyuncs.com/api/v1}), and
 * proxies add trailing slashes; an adapter names its paths from the host root, so it strips both.
 */
public final class BaseUrls {
    private BaseUrls() {
    }

    /**
     * {@code raw} without trailing slashes and without a trailing {@code versionPath} (e.g.
     * {@code /v1} or {@code /api/v1}), so {@code root + versionPath + "/tasks"} is right whichever
     * form was given.
     */
    public static String root(String raw, String versionPath) {
        String url = raw.trim();
        while (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        if (!versionPath.isEmpty() && url.toLowerCase(Locale.ROOT).endsWith(versionPath.toLowerCase(Locale.ROOT))) {
            url = url.substring(0, url.length() - versionPath.length());
        }
        while (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        return url;
    }
}
