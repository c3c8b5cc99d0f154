package dev.pictor.api;

import dev.pictor.auth.ApiKeys;
import dev.pictor.auth.Principal;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Answers polls whose answer is in memory (an ended task's status, see {@link FinishedStatusCache})
 * on Jetty's own request, before the servlet layer and the router: on a poll of a finished task
 * those were about a third of the node's CPU, more than the answer itself.
 *
 * <p>It answers only the plain success: a GET under a group's {@link CachedAnswers#pathPrefix} with a well-formed Bearer key
 * that is valid and has neither an address whitelist nor a request limit (those are checked per
 * request by the router's path), for an answer a {@link CachedAnswers} group has ready. Everything
 * else, including any failure here, goes on to the router unchanged, which answers it as before
 * (401, 404, 429, errors in the envelope). The answer is the router's to the byte: same body, the
 * same {@code Content-Type}, {@code Cache-Control: no-store} and {@code X-Request-Id}, and the same
 * access log line.
 *
 * <p>The key check made here is handed on in a request attribute, so a request that goes on to the
 * router is not checked twice (an invalid key would otherwise cost two database reads).
 */
final class CachedAnswerHandler extends Handler.Wrapper {
    /** Request attribute: the {@link KeyCheck} made for the Authorization header as sent. */
    static final String KEY_CHECK = "pictor.key-check";

    private static final HttpField JSON = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "application/json");
    private static final HttpField NO_STORE = new PreEncodedHttpField(HttpHeader.CACHE_CONTROL, "no-store");

    private final ApiKeys keys;
    private final List<CachedAnswers> answers;
    private final RequestIds requestIds;

    CachedAnswerHandler(ApiKeys keys, List<CachedAnswers> answers, RequestIds requestIds) {
        this.keys = keys;
        this.answers = List.copyOf(answers);
        this.requestIds = requestIds;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        long start = System.nanoTime();
        byte[] body = answers.isEmpty() ? null : cached(request);
        if (body == null) {
            return super.handle(request, response, callback);
        }
        String id = requestIds.idFor(request.getHeaders().get(RequestIds.HEADER));
        response.setStatus(200);
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(JSON);
        headers.put(RequestIds.HEADER, id);
        headers.put(NO_STORE);
        headers.put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
        ApiServer.logAccess("GET", request.getHttpURI().getPath(), 200, (System.nanoTime() - start) / 1_000_000, id);
        return true;
    }

    /** The in-memory answer for this request, or null to route it. */
    private byte[] cached(Request request) {
        if (!"GET".equals(request.getMethod())) {
            return null;
        }
        String path = request.getHttpURI().getPath();
        CachedAnswers group = groupFor(path);
        if (group == null || path.indexOf('%') >= 0 || path.indexOf(';') >= 0 || path.contains("//")) {
            return null;
        }
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        String presented = ApiServer.bearerKey(header);
        if (presented == null) {
            return null;
        }
        Optional<Principal> principal;
        try {
            principal = keys.authenticate(presented);
        } catch (RuntimeException e) {
            // The database is down, say: the router's path meets the same failure and answers it in the envelope.
            return null;
        }
        request.setAttribute(KEY_CHECK, new KeyCheck(header, principal));
        if (principal.isEmpty() || !principal.get().limits().ipWhitelist().isEmpty() || principal.get().limits().rateLimit() != 0) {
            return null;
        }
        return group.cachedAnswer(principal.get(), path);
    }

    private CachedAnswers groupFor(String path) {
        if (path == null) {
            return null;
        }
        for (CachedAnswers group : answers) {
            if (path.startsWith(group.pathPrefix())) {
                return group;
            }
        }
        return null;
    }

    /** A key check and the exact header it was made for (the router uses it only for that same header). */
    record KeyCheck(String header, Optional<Principal> principal) {
    }
}
