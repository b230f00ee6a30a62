package io.dataplane.filestore;

import io.dataplane.filestore.service.Digests;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/** A row of {@code files}: one file of a pipeline's draft; {@code digest} is the blob's hex. */
@Entity
@Table(name = "files")
// named: parsed at start-up, not by the first request on an event loop
@NamedQuery(
    name = "DraftFile.othersBytes",
    query =
        "select coalesce(sum(f.sizeBytes), 0L) from DraftFile f"
            + " where f.environment = ?1 and f.pipeline = ?2 and f.path <> ?3")
@NamedQuery(
    name = "DraftFile.deleteOne",
    query = "delete from DraftFile f where f.environment = ?1 and f.pipeline = ?2 and f.path = ?3")
@IdClass(DraftFile.Key.class)
public class DraftFile extends PanacheEntityBase {

  @Id public String environment;
  @Id public String pipeline;
  @Id public String path;

  @Column(name = "size_bytes")
  public long sizeBytes;

  public String digest;

  @Column(name = "content_type")
  public String contentType;

  @Column(name = "modified_by")
  public String modifiedBy;

  @Column(name = "modified_at")
  public Instant modifiedAt;

  /** The primary key (environment, pipeline, path). */
  public static class Key implements Serializable {
    public String environment;
    public String pipeline;
    public String path;

    public Key() {}

    public Key(String environment, String pipeline, String path) {
      this.environment = environment;
      this.pipeline = pipeline;
      this.path = path;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && environment.equals(k.environment)
          && pipeline.equals(k.pipeline)
          && path.equals(k.path);
    }

    @Override
    public int hashCode() {
      return Objects.hash(environment, pipeline, path);
    }
  }

  public StoredFile view() {
    return new StoredFile(
        environment,
        pipeline,
        path,
        sizeBytes,
        Digests.of(digest),
        contentType,
        modifiedBy,
        modifiedAt);
  }
}
