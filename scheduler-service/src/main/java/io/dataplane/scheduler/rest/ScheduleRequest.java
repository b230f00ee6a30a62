package io.dataplane.scheduler.rest;

import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The body of a schedule create or replace. Exactly one of {@code cron} and {@code rrule}. */
@Schema(description = "A schedule definition")
public record ScheduleRequest(
    @Schema(description = "Unique in the environment", example = "nightly-load") String name,
    @Schema(description = "The pipeline to run", example = "sales-etl") String pipeline,
    String description,
    @Schema(
            description = "Cron: 5 fields, or 6 with a leading seconds field, or a macro",
            example = "30 2 * * *")
        String cron,
    @Schema(
            description = "RFC 5545 RRULE (optionally with a DTSTART:yyyyMMddTHHmmss line)",
            example = "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0;BYSECOND=0")
        String rrule,
    @Schema(description = "IANA timezone", example = "Europe/Berlin") String timezone,
    @Schema(description = "ISO-8601 instant; no fire before it") String startAt,
    @Schema(description = "ISO-8601 instant; no fire after it") String endAt,
    @Schema(description = "Run parameters passed to every run") Map<String, Object> params,
    @Schema(description = "ALL (default), LAST or NONE", example = "ALL") String misfirePolicy,
    @Schema(description = "For ALL: most missed fires to run (1-1000, default 10)")
        Integer misfireCap,
    @Schema(description = "false creates the schedule paused (default true)") Boolean enabled,
    @Schema(description = "A release id to pin; absent or null: the latest release")
        String releaseId) {}
