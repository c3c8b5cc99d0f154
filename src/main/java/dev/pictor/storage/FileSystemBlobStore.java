package dev.pictor.storage;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * Blobs as files under one directory. Writes go to a temporary file that is moved into place, so a
 * reader never sees half a file and a crash leaves at most a stray temporary file.
 */
public final class FileSystemBlobStore implements BlobStore {
    private final Path root;

    public FileSystemBlobStore(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        Files.createDirectories(this.root);
    }

    @Override
    public void put(String key, byte[] bytes, String contentType) throws IOException {
        Path target = resolve(key);
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), ".upload-", ".tmp");
        try {
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public Optional<Blob> open(String key) throws IOException {
        Path file = resolve(key);
        try {
            return Optional.of(new Blob(Files.newInputStream(file), Files.size(file)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public void delete(String key) throws IOException {
        Path file = resolve(key);
        Files.deleteIfExists(file);
        Path dir = file.getParent();
        if (!dir.equals(root)) {
            try (var entries = Files.list(dir)) {
                if (entries.findAny().isEmpty()) {
                    Files.deleteIfExists(dir);
                }
            } catch (NoSuchFileException | java.nio.file.DirectoryNotEmptyException e) {
                // someone else emptied or filled it meanwhile: nothing to do
            }
        }
    }

    @Override
    public void deleteAll(String prefix) throws IOException {
        if (!prefix.endsWith("/")) {
            throw new IllegalArgumentException("prefix must name a folder");
        }
        Path dir = resolve(prefix.substring(0, prefix.length() - 1));
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public boolean isReachable() {
        return Files.isDirectory(root) && Files.isWritable(root);
    }

    /** Keys come from Pictor itself, but a key must never escape the root. */
    private Path resolve(String key) {
        Path p = root.resolve(key).normalize();
        if (!p.startsWith(root) || p.equals(root)) {
            throw new IllegalArgumentException("invalid blob key");
        }
        return p;
    }
}
