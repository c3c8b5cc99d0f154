package dev.pictor.net;

/** A source image that could not be fetched; the message says why and never contains the URL. */
public class FetchException extends Exception {
    public FetchException(String reason) {
        super(reason);
    }

    public FetchException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
