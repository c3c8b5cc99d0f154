package dev.pictor.api;

import io.javalin.config.RoutesConfig;

/**
 * One HTTP surface's routes (APIDot, OpenAI, webhooks, admin, files, operations, ...). The server
 * takes a list of them, so a new surface is one more group in {@code Pictor}'s list, not an edit
 * of the server.
 */
public interface RouteGroup {
    void register(RoutesConfig routes);
}
