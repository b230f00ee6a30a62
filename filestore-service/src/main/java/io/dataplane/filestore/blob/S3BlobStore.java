package io.dataplane.filestore.blob;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Blobs as objects of an S3 bucket, {@code <prefix><hex>}. S3 writes are atomic per object. */
public final class S3BlobStore implements BlobStore {

  private final S3Client s3;
  private final String bucket;
  private final String prefix;
  private final String location;

  public S3BlobStore(S3Client s3, String endpoint, String bucket, String prefix) {
    this.s3 = s3;
    this.location = "s3:" + endpoint + "/" + bucket + "/" + prefix;
    this.bucket = bucket;
    this.prefix = prefix;
  }

  @Override
  public String backend() {
    return "s3";
  }

  @Override
  public String location() {
    return location;
  }

  String keyOf(String hex) {
    return prefix + hex;
  }

  @Override
  public void write(String hex, Path file, long size) throws IOException {
    try {
      s3.putObject(
          b -> b.bucket(bucket).key(keyOf(hex)).contentLength(size), RequestBody.fromFile(file));
    } catch (SdkException e) {
      throw new IOException("cannot write blob " + hex + " to S3: " + e.getMessage(), e);
    }
  }

  @Override
  public InputStream open(String hex) throws IOException {
    try {
      return s3.getObject(b -> b.bucket(bucket).key(keyOf(hex)));
    } catch (NoSuchKeyException e) {
      throw new NoSuchBlobException(hex);
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        throw new NoSuchBlobException(hex);
      }
      throw new IOException("cannot read blob " + hex + " from S3: " + e.getMessage(), e);
    } catch (SdkException e) {
      throw new IOException("cannot read blob " + hex + " from S3: " + e.getMessage(), e);
    }
  }

  @Override
  public boolean delete(String hex) throws IOException {
    try {
      s3.deleteObject(b -> b.bucket(bucket).key(keyOf(hex)));
      return true;
    } catch (SdkException e) {
      throw new IOException("cannot delete blob " + hex + " from S3: " + e.getMessage(), e);
    }
  }
}
