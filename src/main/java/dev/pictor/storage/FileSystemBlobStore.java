package dev.pictor.storage;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

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
        Path tmp = writeTemporary(target.getParent(), bytes);
        boolean moved = false;
        try {
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Writes the bytes to a new temporary file in {@code dir}, making the folder as needed, with one
     * open: a random name opened with CREATE_NEW. {@code Files.createTempFile} would open the file
     * twice (to create it, then to write it) and draw the name from the process's one SecureRandom;
     * that was most of a blob write's cost. The name needs to be unique in the folder, not secret.
     * A delete that empties the folder removes it, possibly between the two steps; then the folder is
     * made again.
     */
    private static Path writeTemporary(Path dir, byte[] bytes) throws IOException {
        for (int tries = 1; ; tries++) {
            Path tmp = dir.resolve(".upload-" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
            try {
                Files.createDirectories(dir);
                try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    out.write(bytes);
                } catch (NoSuchFileException | FileAlreadyExistsException e) {
                    throw e; // nothing was written: the loop below tries again
                } catch (IOException | RuntimeException e) {
                    Files.deleteIfExists(tmp); // a half-written file (a full disk, say) is not left behind
                    throw e;
                }
                return tmp;
            } catch (NoSuchFileException | FileAlreadyExistsException e) {
                // NoSuchFile: the folder went between the two steps. FileAlreadyExists: createDirectories
                // saw the folder, then found it gone when checking it, or (once in 2^64) the name was taken.
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
