package dev.pictor.upstream;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * An upstream answer's body, read into memory up to {@code maxBytes} and no further: past the limit
 * the exchange is cancelled and the body completes with {@link TooLarge}, so a misbehaving upstream
 * sending a gigabyte costs at most the limit, not the node's heap.
 */
final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
    /** The body went past the limit. */
    static final class TooLarge extends IOException {
        TooLarge(long maxBytes) {
            super("upstream answer over " + maxBytes + " bytes");
        }
    }

    private final long maxBytes;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final List<ByteBuffer> parts = new ArrayList<>();
    private Flow.Subscription subscription;
    private long received;

    CappedBody(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        if (result.isDone()) {
            return;
        }
        for (ByteBuffer item : items) {
            received += item.remaining();
            if (received > maxBytes) {
                parts.clear();
                subscription.cancel();
                result.completeExceptionally(new TooLarge(maxBytes));
                return;
            }
            parts.add(item);
        }
    }

    @Override
    public void onError(Throwable throwable) {
        parts.clear();
        result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
        if (result.isDone()) {
            return;
        }
        byte[] body = new byte[(int) received];
        int at = 0;
        for (ByteBuffer part : parts) {
            int n = part.remaining();
            part.get(body, at, n);
            at += n;
        }
        parts.clear();
        result.complete(body);
    }
}
