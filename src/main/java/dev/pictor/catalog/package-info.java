/**
 * The model catalog: every model id with its input fields, the validation that turns a request into a
 * {@link dev.pictor.catalog.GenerationRequest} (or an {@link dev.pictor.catalog.InvalidInputException}
 * naming the field and the model), and the exact output size and format of each combination. It
 * imports only common; it knows no upstream, so a model's routes live in upstream.
 */
package dev.pictor.catalog;
