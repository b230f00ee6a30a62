package io.dataplane.filestore;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A row of {@code bundle_publications}: one publication of a bundle for a pipeline. */
@Entity
@Table(name = "bundle_publications")
public class BundlePublication extends PanacheEntityBase {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  public Long id;

  public String digest;
  public String environment;
  public String pipeline;

  @Column(name = "published_by")
  public String publishedBy;

  /** The database's {@code now()} (the transaction's start), as before. */
  @Column(name = "published_at", insertable = false, updatable = false)
  public Instant publishedAt;

  public BundlePublication() {}

  public BundlePublication(String digest, String environment, String pipeline, String by) {
    this.digest = digest;
    this.environment = environment;
    this.pipeline = pipeline;
    this.publishedBy = by;
  }
}
