/**
 * The upstream SPI and what all adapters share: {@link dev.pictor.upstream.Upstream} (one adapter and
 * its sealed {@code Outcome}), {@link dev.pictor.upstream.UpstreamDefinition} (what an adapter
 * package publishes about itself), {@link dev.pictor.upstream.UpstreamHttp},
 * {@link dev.pictor.upstream.BaseUrls}, the {@link dev.pictor.upstream.UpstreamRegistry} (each
 * model's ordered routes, one circuit breaker per upstream) and {@link dev.pictor.upstream.Upstreams},
 * which builds the configured upstreams from the definitions it is given. It imports catalog, media,
 * net and common; the adapter sub-packages import it, never the other way round.
 */
package dev.pictor.upstream;
