package io.dataplane.scheduler.rest;

import static io.dataplane.scheduler.TestSupport.api;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.dataplane.scheduler.TestSupport;
import io.quarkus.test.junit.QuarkusTest;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ScheduleApiTest {

  private static Map<String, Object> body(String name, String pipeline) {
    Map<String, Object> b = new HashMap<>();
    b.put("name", name);
    b.put("pipeline", pipeline);
    b.put("cron", "30 2 * * *");
    b.put("timezone", "Europe/Berlin");
    b.put("params", Map.of("region", "eu"));
    return b;
  }

  @Test
  void crudRoundTrip() {
    String env = TestSupport.uniqueEnv();
    String id =
        api()
            .body(body("nightly", "etl"))
            .post("/api/v1/environments/{env}/schedules", env)
            .then()
            .statusCode(201)
            .body("state", equalTo("ENABLED"))
            .body("releaseMode", equalTo("LATEST"))
            .body("misfirePolicy", equalTo("ALL"))
            .body("misfireCap", equalTo(10))
            .body("createdBy", equalTo("tester"))
            .body("nextFireAt", notNullValue())
            .body("params.region", equalTo("eu"))
            .extract()
            .path("id");

    api()
        .get("/api/v1/environments/{env}/schedules/{id}", env, id)
        .then()
        .statusCode(200)
        .body("name", equalTo("nightly"));
    api()
        .get("/api/v1/environments/{env}/schedules?pipeline=etl", env)
        .then()
        .statusCode(200)
        .body("items.id", contains(id));
    api()
        .get("/api/v1/environments/{env}/schedules?pipeline=other", env)
        .then()
        .statusCode(200)
        .body("items", hasSize(0));
    // another environment does not see it
    api()
        .get("/api/v1/environments/{env}/schedules/{id}", TestSupport.uniqueEnv(), id)
        .then()
        .statusCode(404);

    Map<String, Object> changed = body("nightly", "etl");
    changed.remove("cron");
    changed.put("rrule", "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0;BYSECOND=0");
    changed.put("releaseId", "rel-42");
    changed.put("misfirePolicy", "last");
    api()
        .body(changed)
        .put("/api/v1/environments/{env}/schedules/{id}", env, id)
        .then()
        .statusCode(200)
        .body("cron", nullValue())
        .body("rrule", equalTo("FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0;BYSECOND=0"))
        .body("releaseMode", equalTo("PINNED"))
        .body("releaseId", equalTo("rel-42"))
        .body("misfirePolicy", equalTo("LAST"));

    api()
        .post("/api/v1/schedules/{id}/pause", id)
        .then()
        .statusCode(200)
        .body("state", equalTo("PAUSED"))
        .body("nextFireAt", nullValue());
    api()
        .post("/api/v1/schedules/{id}/resume", id)
        .then()
        .statusCode(200)
        .body("state", equalTo("ENABLED"));

    api().delete("/api/v1/environments/{env}/schedules/{id}", env, id).then().statusCode(204);
    api()
        .get("/api/v1/schedules/{id}", id)
        .then()
        .statusCode(404)
        .body("code", equalTo("NOT_FOUND"));
  }

  @Test
  void duplicateNameIsAConflict() {
    String env = TestSupport.uniqueEnv();
    String id =
        api()
            .body(body("dup", "etl"))
            .post("/api/v1/environments/{env}/schedules", env)
            .then()
            .statusCode(201)
            .extract()
            .path("id");
    api()
        .body(body("dup", "etl"))
        .post("/api/v1/environments/{env}/schedules", env)
        .then()
        .statusCode(409)
        .body("code", equalTo("CONFLICT"));
    api().delete("/api/v1/environments/{env}/schedules/{id}", env, id).then().statusCode(204);
  }

  @Test
  void invalidInputNamesTheField() {
    String env = TestSupport.uniqueEnv();
    Map<String, Object> b = body("bad", "etl");
    b.put("cron", "61 * * * *");
    api()
        .body(b)
        .post("/api/v1/environments/{env}/schedules", env)
        .then()
        .statusCode(400)
        .body("code", equalTo("INVALID_INPUT"))
        .body("details.path", contains("cron"))
        .body(
            "details[0].message",
            equalTo("cron: minute field '61': value 61 is out of range 0-59"));

    b = body("bad", "etl");
    b.remove("cron");
    b.put("rrule", "FREQ=SOMETIMES");
    api()
        .body(b)
        .post("/api/v1/environments/{env}/schedules", env)
        .then()
        .statusCode(400)
        .body("details.path", contains("rrule"));

    b = body("bad", "etl");
    b.put("timezone", "Mars/Olympus_Mons");
    api()
        .body(b)
        .post("/api/v1/environments/{env}/schedules", env)
        .then()
        .statusCode(400)
        .body("details.path", contains("timezone"))
        .body("message", equalTo("timezone 'Mars/Olympus_Mons' is not a known IANA timezone"));

    b = body("bad", "etl");
    b.put("startAt", "2026-12-01T00:00:00Z");
    b.put("endAt", "2026-11-01T00:00:00Z");
    api()
        .body(b)
        .post("/api/v1/environments/{env}/schedules", env)
        .then()
        .statusCode(400)
        .body("details.path", contains("endAt"));

    b = body("", "etl");
    b.put("misfirePolicy", "SOMETIMES");
    b.put("misfireCap", 0);
    b.put("startAt", "yesterday");
    api()
        .body(b)
        .post("/api/v1/environments/{env}/schedules", env)
        .then()
        .statusCode(400)
        .body("details.path", hasItem("name"))
        .body("details.path", hasItem("misfirePolicy"))
        .body("details.path", hasItem("misfireCap"))
        .body("details.path", hasItem("startAt"));
  }

  @Test
  void previewShowsTheNextFireTimesWithDstRules() {
    String env = TestSupport.uniqueEnv();
    String id =
        api()
            .body(body("preview", "etl"))
            .post("/api/v1/environments/{env}/schedules", env)
            .then()
            .statusCode(201)
            .extract()
            .path("id");
    api()
        .get("/api/v1/schedules/{id}/preview?count=3&after=2026-03-27T12:00:00Z", id)
        .then()
        .statusCode(200)
        .body("timezone", equalTo("Europe/Berlin"))
        .body(
            "fireTimes.at",
            contains("2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"))
        .body("fireTimes[1].local", equalTo("2026-03-29T03:00:00+02:00"));
    api()
        .get("/api/v1/schedules/{id}/preview?count=0", id)
        .then()
        .statusCode(400)
        .body("details.path", contains("count"));

    // a draft is previewed without saving it (only its rule needs to be complete)
    Map<String, Object> draft = new HashMap<>();
    draft.put("cron", "0 9 * * MON");
    draft.put("timezone", "UTC");
    api()
        .body(draft)
        .post(
            "/api/v1/environments/{env}/schedules/preview?count=2&after=2026-11-22T00:00:00Z", env)
        .then()
        .statusCode(200)
        .body("fireTimes.at", contains("2026-11-23T09:00:00Z", "2026-11-30T09:00:00Z"));
    draft.put("cron", "0 9 * * FUNDAY");
    api()
        .body(draft)
        .post("/api/v1/environments/{env}/schedules/preview", env)
        .then()
        .statusCode(400)
        .body("details.path", contains("cron"));
    api().delete("/api/v1/environments/{env}/schedules/{id}", env, id).then().statusCode(204);
  }

  @Test
  void theApiNeedsTheServiceToken() {
    given()
        .get("/api/v1/environments/{env}/schedules", "any")
        .then()
        .statusCode(401)
        .body("code", equalTo("UNAUTHENTICATED"));
  }

  @Test
  void openApiDocumentsTheEndpoints() {
    given()
        .get("/q/openapi?format=json")
        .then()
        .statusCode(200)
        .body("paths", org.hamcrest.Matchers.hasKey("/api/v1/schedules/{id}/backfill"))
        .body("paths", org.hamcrest.Matchers.hasKey("/api/v1/environments/{env}/schedules"));
  }
}
