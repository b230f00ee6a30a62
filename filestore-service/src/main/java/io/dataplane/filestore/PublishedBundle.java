package io.dataplane.filestore;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A row of {@code bundles}: an immutable archive, named by {@code sha256:<hex>} of its bytes. */
@Entity
@Table(name = "bundles")
public class PublishedBundle extends PanacheEntityBase {

  @Id public String digest;

  @Column(name = "size_bytes")
  public long sizeBytes;

  @Column(name = "file_count")
  public int fileCount;

  @Column(name = "created_at", insertable = false, updatable = false)
  public Instant createdAt;

  public Bundle view() {
    return new Bundle(digest, sizeBytes, fileCount);
  }
}
