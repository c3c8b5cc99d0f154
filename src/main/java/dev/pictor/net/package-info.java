/**
 * Outbound HTTP to addresses a client can name, shared by source fetching and webhooks:
 * {@link dev.pictor.net.AddressPolicy} (which addresses may be reached, the SSRF defence),
 * {@link dev.pictor.net.PinnedHttpClient} (an HTTP/1.1 exchange pinned to the checked address),
 * {@link dev.pictor.net.CallbackUrls} (the rules for a {@code callback_url}) and
 * {@link dev.pictor.net.FetchException}. It imports only catalog, whose
 * {@code InvalidInputException} reports a refused callback URL.
 */
package dev.pictor.net;
