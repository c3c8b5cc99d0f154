package dev.pictor.billing;

/** A prepaid tenant's balance cannot cover a submit's estimate; the submit stores nothing (HTTP 402). */
public final class InsufficientCreditsException extends RuntimeException {
    public InsufficientCreditsException(String model, long neededMillis, long balanceMillis) {
        super("insufficient credits: " + model + " needs " + Credits.credits(neededMillis).toPlainString()
                + " credits, the balance is " + Credits.credits(balanceMillis).toPlainString());
    }
}
