/**
 * The upstream SPI and what all adapters share: {@link dev.pictor.upstream.Upstream} (one adapter and
 * its sealed {@code Outcome}), {@link dev.pictor.upstream.UpstreamHttp}, the
 * {@link dev.pictor.upstream.UpstreamRegistry} (each model's ordered routes, one circuit breaker per
 * upstream) and {@link dev.pictor.upstream.Upstreams}, which builds the configured adapters, one
 * sub-package each. It imports catalog, media, net and common, and those sub-packages;
 * {@code Upstreams} also reads the root's {@code Settings.Upstreams}.
 */
package dev.pictor.upstream;
