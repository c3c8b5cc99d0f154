package dev.pictor.api;

import dev.pictor.auth.Principal;

/**
 * A route group that can answer some GET requests from memory: {@link CachedAnswerHandler} asks it
 * before the request reaches the router, and a null answer sends the request on its ordinary way.
 * Only the success of a plain read is answered here; every other outcome (a miss, a 404, any error)
 * is the route's, so the error envelope and every check stay in one place.
 */
interface CachedAnswers {
    /** The paths it may answer start with this (under {@code /api/}); no other request is looked at, nor its key checked early. */
    String pathPrefix();

    /**
     * The 200 JSON body for {@code GET path} by {@code principal} when it is in memory and current,
     * else null. {@code path} is the raw path, under {@link #pathPrefix}, without percent-escapes or a repeated slash.
     */
    byte[] cachedAnswer(Principal principal, String path);
}
