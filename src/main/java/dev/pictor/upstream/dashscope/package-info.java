/**
 * The adapter for Alibaba DashScope image synthesis (asynchronous task, polled; it serves the Wan and
 * Z-Image models). It imports the upstream SPI, catalog, media and common, and no other adapter.
 */
package dev.pictor.upstream.dashscope;
