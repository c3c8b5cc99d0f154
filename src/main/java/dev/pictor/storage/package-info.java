/**
 * Where output images and uploaded sources are kept: the {@link dev.pictor.storage.BlobStore}
 * interface with its one key rule, the {@link dev.pictor.storage.FileSystemBlobStore} backend,
 * {@link dev.pictor.storage.StoredFile} and {@link dev.pictor.storage.FileUrls} (signed, expiring
 * links). It imports nothing from Pictor.
 */
package dev.pictor.storage;
