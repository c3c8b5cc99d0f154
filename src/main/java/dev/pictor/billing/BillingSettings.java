package dev.pictor.billing;

/**
 * @param pricesFile PICTOR_PRICES_FILE: a JSON file of price rules put over the defaults; blank for none
 */
public record BillingSettings(String pricesFile) {
}
