package io.dataplane.filestore.blob;

import io.dataplane.filestore.config.FilestoreConfig;
import io.quarkus.logging.Log;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Makes the one {@link BlobStore} that {@code dataplane.filestore.backend} selects. */
@ApplicationScoped
public class BlobStoreProducer {

  private S3Client s3;

  @Produces
  @ApplicationScoped
  BlobStore blobStore(FilestoreConfig config, Pool pool) {
    Log.infof("filestore backend: %s", config.backend());
    return switch (config.backend()) {
      case postgres ->
          new PostgresBlobStore(pool, (int) config.postgres().chunkSize().asLongValue());
      case local -> {
        try {
          yield new LocalBlobStore(Path.of(config.local().directory()));
        } catch (IOException e) {
          throw new UncheckedIOException(
              "cannot create the local blob directory " + config.local().directory(), e);
        }
      }
      case s3 -> {
        s3 = s3Client(config.s3());
        yield new S3BlobStore(
            s3,
            config.s3().endpoint().orElse("aws:" + config.s3().region()),
            config.s3().bucket(),
            config.s3().prefix());
      }
    };
  }

  void close(@Disposes BlobStore store) {
    if (s3 != null) {
      s3.close();
    }
  }

  private static S3Client s3Client(FilestoreConfig.S3 c) {
    AwsCredentialsProvider credentials =
        c.accessKeyId().isPresent()
            ? StaticCredentialsProvider.create(
                AwsBasicCredentials.create(c.accessKeyId().get(), c.secretAccessKey().orElse("")))
            : DefaultCredentialsProvider.builder().build();
    var builder =
        S3Client.builder()
            .httpClient(UrlConnectionHttpClient.create())
            .region(Region.of(c.region()))
            .credentialsProvider(credentials)
            .forcePathStyle(c.pathStyle())
            // S3-compatible stores often lack the newer default checksums; we verify sha256
            // ourselves
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    c.endpoint().ifPresent(e -> builder.endpointOverride(URI.create(e)));
    S3Client client = builder.build();
    if (c.createBucket()) {
      try {
        client.headBucket(b -> b.bucket(c.bucket()));
      } catch (NoSuchBucketException e) {
        client.createBucket(b -> b.bucket(c.bucket()));
      } catch (S3Exception e) {
        if (e.statusCode() != 404) {
          throw e;
        }
        client.createBucket(b -> b.bucket(c.bucket()));
      }
    }
    return client;
  }
}
