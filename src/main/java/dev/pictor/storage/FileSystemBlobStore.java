package dev.pictor.storage;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
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
        // A delete of a neighbour that empties the folder may remove it at any step of this write
        // (the contract test races them); the write is then simply done again in a new folder.
        for (int tries = 1; ; tries++) {
            try {
                writeOnce(target, bytes);
                return;
            } catch (NoSuchFileException e) {
                if (tries == 10) {
                    throw e;
                }
            }
        }
    }

    private static void writeOnce(Path target, byte[] bytes) throws IOException {
        Path tmp = tempFileIn(target.getParent());
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

    /**
     * A new temporary file in {@code dir}, making the folder as needed. A delete that empties the
     * folder removes it, possibly between the two steps; then the folder is made again.
     */
    private static Path tempFileIn(Path dir) throws IOException {
        for (int tries = 1; ; tries++) {
            try {
                Files.createDirectories(dir);
                return Files.createTempFile(dir, ".upload-", ".tmp");
            } catch (NoSuchFileException | FileAlreadyExistsException e) {
                // FileAlreadyExists: createDirectories saw the folder, then found it gone when checking it
                if (tries == 10 || Files.exists(dir) && !Files.isDirectory(dir)) {
                    throw e;
                }
            }
        }
    }

    @Override
    public Optional<Blob> open(String key) throws IOException {
        Path file = resolve(key);
        if (!Files.isRegularFile(file)) {
            return Optional.empty(); // missing, or a folder: the prefix of other keys is not a blob itself
        }
        SeekableByteChannel channel;
        try {
            channel = Files.newByteChannel(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            // The size of the file that was opened, not of the path: a put replacing the key meanwhile
            // must not pair the old bytes with the new length.
            return Optional.of(new Blob(Channels.newInputStream(channel), channel.size()));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
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
        Path dir = resolve(BlobStore.checkFolderPrefix(prefix).substring(0, prefix.length() - 1));
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

    /** Keys come from Pictor itself, but a key must never escape the root; the second check is a backstop. */
    private Path resolve(String key) {
        Path p = root.resolve(BlobStore.checkKey(key)).normalize();
        if (!p.startsWith(root) || p.equals(root)) {
            throw new IllegalArgumentException("invalid blob key");
        }
        return p;
    }
}
