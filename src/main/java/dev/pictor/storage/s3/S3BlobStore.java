package dev.pictor.storage.s3;

import dev.pictor.storage.BlobStore;
import java.io.IOException;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Comparator;
import java.util.ArrayList;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Blobs as objects in one S3 (or S3-compatible) bucket, under an optional key prefix.
 *
 * <p>Writes are complete or absent: a single PUT becomes visible only when S3 has the whole object,
 * and the Content-MD5 header makes the server refuse a body that arrived damaged or cut short. A
 * failed PUT leaves nothing (or the previous version) readable. SDK errors, which are unchecked,
 * leave here as {@link IOException} so callers treat them like any other storage failure.
 */
public final class S3BlobStore implements BlobStore, AutoCloseable {
    /** S3 refuses presigned URLs that live longer than a week. */
    static final Duration MAX_PRESIGN = Duration.ofDays(7);
    /** ListObjectsV2 returns at most 1000 keys per page. */
    private static final int DELETE_BATCH = 1000;

    private final S3Settings settings;
    private final S3Client client;
    private final S3Presigner presigner;
    private final Duration healthTimeout;
    private final int pageSize;

    public S3BlobStore(S3Settings settings, Duration healthTimeout) {
        this(settings, healthTimeout, DELETE_BATCH);
    }

    /** {@code pageSize} below 1000 only so tests can see pagination without storing a thousand objects. */
    S3BlobStore(S3Settings settings, Duration healthTimeout, int pageSize) {
        this.settings = settings;
        this.healthTimeout = healthTimeout;
        this.pageSize = pageSize;
        AwsCredentialsProvider credentials = settings.hasStaticCredentials()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKeyId(), settings.secretAccessKey()))
                : DefaultCredentialsProvider.builder().build();
        var s3Config = S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle()).build();
        var builder = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofSeconds(30))
                        .build())
                .credentialsProvider(credentials)
                .serviceConfiguration(s3Config);
        var presignerBuilder = S3Presigner.builder().credentialsProvider(credentials).serviceConfiguration(s3Config);
        Region region = region(settings);
        if (region != null) {
            builder.region(region);
            presignerBuilder.region(region);
        }
        if (!settings.endpoint().isEmpty()) {
            builder.endpointOverride(URI.create(settings.endpoint()));
            presignerBuilder.endpointOverride(URI.create(settings.endpoint()));
        }
        if (settings.checksumsWhenRequired()) {
            builder.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        }
        this.client = builder.build();
        this.presigner = presignerBuilder.build();
    }

    /** With an endpoint override a region is still needed for signing; S3-compatible services accept us-east-1. */
    private static Region region(S3Settings settings) {
        if (!settings.region().isEmpty()) {
            return Region.of(settings.region());
        }
        return settings.endpoint().isEmpty() ? null : Region.US_EAST_1;
    }

    @Override
    public void put(String key, byte[] bytes, String contentType) throws IOException {
        String objectKey = objectKey(key);
        try {
            client.putObject(r -> r.bucket(settings.bucket()).key(objectKey).contentType(contentType)
                    .contentLength((long) bytes.length).contentMD5(md5(bytes)), RequestBody.fromBytes(bytes));
        } catch (SdkException e) {
            throw failure("store", key, e);
        }
    }

    @Override
    public Optional<Blob> open(String key) throws IOException {
        String objectKey = objectKey(key);
        try {
            ResponseInputStream<GetObjectResponse> in = client.getObject(r -> r.bucket(settings.bucket()).key(objectKey));
            return Optional.of(new Blob(in, in.response().contentLength()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw failure("read", key, e);
        } catch (SdkException e) {
            throw failure("read", key, e);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        String objectKey = objectKey(key);
        try {
            client.deleteObject(r -> r.bucket(settings.bucket()).key(objectKey));
        } catch (SdkException e) {
            throw failure("delete", key, e);
        }
    }

    /**
     * Lists page by page and deletes each listed object with its own DELETE. A task folder holds a few
     * objects, and single deletes work everywhere: the batch DeleteObjects call needs a checksum header
     * that s3proxy (and some other S3-compatible services) answer with 501, and GCS lacks it.
     */
    @Override
    public void deleteAll(String prefix) throws IOException {
        BlobStore.checkFolderPrefix(prefix);
        String objectPrefix = objectKey(prefix.substring(0, prefix.length() - 1)) + "/";
        try {
            // Folder markers (keys ending in "/", which Pictor never writes) go last, deepest first:
            // s3proxy's filesystem backend lists a folder as a marker and answers its DELETE only after
            // about 10 s while the folder still holds objects (measured); on S3 the order does not matter.
            List<String> markers = new ArrayList<>();
            for (var page : client.listObjectsV2Paginator(r -> r.bucket(settings.bucket()).prefix(objectPrefix).maxKeys(pageSize))) {
                for (S3Object o : page.contents()) {
                    if (o.key().endsWith("/")) {
                        markers.add(o.key());
                    } else {
                        client.deleteObject(r -> r.bucket(settings.bucket()).key(o.key()));
                    }
                }
            }
            markers.sort(Comparator.comparingInt(String::length).reversed());
            for (String marker : markers) {
                client.deleteObject(r -> r.bucket(settings.bucket()).key(marker));
            }
        } catch (SdkException e) {
            throw failure("delete", prefix, e);
        }
    }

    /** A HEAD on the bucket, bounded by the health timeout (retries included). */
    @Override
    public boolean isReachable() {
        try {
            client.headBucket(r -> r.bucket(settings.bucket()).overrideConfiguration(c -> c.apiCallTimeout(healthTimeout)));
            return true;
        } catch (SdkException e) {
            return false;
        }
    }

    /** With presign on, a GET URL signed by S3's own credentials; S3 caps its lifetime at a week. */
    @Override
    public Optional<URI> directUrl(String key, Duration lifetime) {
        if (!settings.presign()) {
            return Optional.empty();
        }
        Duration d = lifetime.compareTo(MAX_PRESIGN) > 0 ? MAX_PRESIGN : lifetime;
        String objectKey = objectKey(key);
        var presigned = presigner.presignGetObject(p -> p.signatureDuration(d)
                .getObjectRequest(g -> g.bucket(settings.bucket()).key(objectKey)));
        try {
            return Optional.of(presigned.url().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Keys come from Pictor itself, but every backend holds them to the same rule ({@link BlobStore#checkKey}). */
    String objectKey(String key) {
        return settings.prefix() + BlobStore.checkKey(key);
    }

    /** The SDK's message names the bucket and the operation, never credentials. */
    private static IOException failure(String what, String key, SdkException e) {
        return new IOException("could not " + what + " " + key + " in the S3 bucket: " + e.getMessage(), e);
    }

    private static String md5(byte[] bytes) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        presigner.close();
        client.close();
    }
}
