// End-to-end tests of the console in Debian's Chromium (playwright-core, no downloaded browser),
// against the real services and Keycloak's real login page. Run by system-tests' ConsoleE2ETest,
// which starts the platform and passes what it made through the environment:
//   BASE_URL (the gateway), ENV (an environment whose worker group has workers), GROUP,
//   SECRET_NAME / SECRET_VALUE (a secret of ENV, granted to pipeline PIPELINE), SHOTS (a folder)
//   LONG_PIPELINE (a released pipeline of ENV whose one task, sleeper, runs for minutes)
// Prints "N passed, N failed" and exits non-zero when a scenario fails.
import { chromium } from "playwright-core";
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const { BASE_URL, ENV, GROUP, SECRET_NAME, SECRET_VALUE, PIPELINE = "console-e2e", LONG_PIPELINE = "console-long" } = process.env;
const SHOTS = process.env.SHOTS ?? "e2e/out";
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
mkdirSync(SHOTS, { recursive: true });

const results = [];

/** Keycloak's admin API (kcadmin, local only): ends every session of a user. */
async function endSessionsOf(user) {
  const kc = process.env.KEYCLOAK_URL ?? "http://127.0.0.1:8180";
  const t = await fetch(`${kc}/realms/master/protocol/openid-connect/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: "grant_type=password&client_id=admin-cli&username=kcadmin&password=kcadmin",
  });
  check(t.ok, `kcadmin signs in: ${t.status}`);
  const auth = { Authorization: `Bearer ${(await t.json()).access_token}` };
  const users = await (await fetch(`${kc}/admin/realms/dataplane/users?exact=true&username=${user}`, { headers: auth })).json();
  check(users.length === 1, `one Keycloak user ${user}: ${JSON.stringify(users)}`);
  const r = await fetch(`${kc}/admin/realms/dataplane/users/${users[0].id}/logout`, { method: "POST", headers: auth });
  check(r.status === 204, `logout of ${user}: ${r.status}`);
}

/** Tries `attempt` until it says true (each try bounded by its own waits), for at most `ms`. */
async function until(attempt, ms, what) {
  const end = Date.now() + ms;
  while (Date.now() < end) if (await attempt()) return;
  throw new Error(`not within ${ms} ms: ${what}`);
}
/** the page a scenario works on: on a failure its URL, text and a screenshot tell what was shown */
let lastPage;
async function scenario(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`PASS ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`FAIL ${name}: ${e?.stack ?? e}`);
    if (lastPage && !lastPage.isClosed()) {
      const n = results.length;
      await lastPage.screenshot({ path: `${SHOTS}/failed-${n}.png` }).catch(() => {});
      const text = await lastPage.evaluate(() => document.body?.innerText ?? "").catch((x) => String(x));
      console.log(`  at ${lastPage.url()}\n  the page said: ${text.slice(0, 1500).replace(/\n/g, " | ")}\n  screenshot: failed-${n}.png`);
    }
  }
}
function check(cond, what) {
  if (!cond) throw new Error(what);
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});

/** A new person at the console: Keycloak's real login page, then back to the page asked for. */
async function signIn(user, path = "/") {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  lastPage = page;
  const violations = [];
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy|Refused to/.test(m.text())) violations.push(m.text());
    if (m.type() === "error") console.log(`  [browser ${user}] ${m.text()}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400 && !r.url().includes("/realms/")) console.log(`  [http ${user}] ${r.status()} ${r.request().method()} ${r.url()}`);
  });
  await page.goto(BASE_URL + path);
  await page.waitForSelector("#username", { timeout: 60_000 });
  await page.fill("#username", user);
  await page.fill("#password", user);
  await Promise.all([page.waitForURL((u) => u.toString().startsWith(BASE_URL), { timeout: 60_000 }), page.click("#kc-login")]);
  await page.waitForSelector("[data-testid=me]", { timeout: 60_000 });
  return { context, page, violations };
}

/** axe-core on the page as it is: no serious or critical violation. */
async function axe(page, where) {
  await page.evaluate(AXE); // evaluated through the DevTools protocol: not an inline script
  const found = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
  });
  check(found.length === 0, `accessibility on ${where}: ${found.join("; ")}`);
}

const CYCLE = `workerGroup: ${GROUP}
params:
  day: {type: string, required: true}
tasks:
  - key: extract
    runtime: bash
    script: echo "extract $DP_PARAM_day"
    dependsOn: [load]
  - key: load
    runtime: bash
    script: echo load
    dependsOn: [extract]
`;
const FIXED = `workerGroup: ${GROUP}
params:
  day: {type: string, required: true}
tasks:
  - key: extract
    runtime: bash
    script: echo "extract $DP_PARAM_day"
  - key: load
    runtime: bash
    secrets: [${SECRET_NAME}]
    script: |
      echo "token=$${SECRET_NAME}"
      sleep 3
      echo "loaded $DP_PARAM_day"
    dependsOn: [extract]
`;

async function replaceEditorText(page, text) {
  await page.click(".cm-content");
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(text);
}

let alice;
let runUrl;
await scenario("1. alice creates a pipeline, sees the cycle at its line, fixes, saves, releases, starts a run with a param", async () => {
  alice = await signIn("alice", `/e/${ENV}/pipelines`);
  const { page } = alice;
  await page.waitForURL(`**/e/${ENV}/pipelines`);
  await page.getByRole("textbox", { name: /New pipeline/ }).fill(PIPELINE);
  await page.getByRole("button", { name: "Create" }).click();
  await page.waitForSelector(".cm-content");
  await replaceEditorText(page, CYCLE);
  const problem = page.locator("[data-testid=problems] li", { hasText: "cycle" });
  await problem.first().waitFor({ timeout: 30_000 });
  const text = await problem.first().textContent();
  check(/line (8|9|12|13)\b/.test(text), `the cycle is marked at a dependsOn line: ${text}`);
  await page.locator(".cm-lintRange-error").first().waitFor();
  await page.screenshot({ path: `${SHOTS}/pipeline-editor-cycle.png` });
  await replaceEditorText(page, FIXED);
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=problems] li").length === 0, null, { timeout: 30_000 });
  await page.locator(".react-flow__node", { hasText: "load" }).waitFor();
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByRole("status").filter({ hasText: "Saved." }).waitFor({ timeout: 30_000 });
  await page.getByRole("button", { name: "Release" }).click();
  await page.getByRole("status").filter({ hasText: "Released" }).waitFor({ timeout: 60_000 });
  await page.screenshot({ path: `${SHOTS}/pipeline.png` });
  await axe(page, "the pipeline page");
  await page.getByRole("button", { name: "Start run…" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.locator("input[name=day]").fill("2026-12-07");
  await dialog.getByRole("button", { name: "Start" }).click();
  await page.waitForURL(/\/runs\/[0-9a-f-]+/, { timeout: 30_000 });
  runUrl = page.url();
  check(alice.violations.length === 0, `CSP violations: ${alice.violations.join("; ")}`);
});

await scenario("2. the DAG turns green live and the task's live log shows the secret as ***", async () => {
  check(alice && runUrl, "scenario 1 started no run");
  const { page } = alice;
  await page.locator("tr[data-task=load]").waitFor({ timeout: 60_000 });
  await page.locator("tr[data-task=load] button").click();
  await page.locator("[data-testid=log]", { hasText: "token=***" }).waitFor({ timeout: 120_000 });
  await page.locator(".react-flow__node.state-succeeded", { hasText: "extract" }).waitFor({ timeout: 120_000 });
  await page.locator(".react-flow__node.state-succeeded", { hasText: "load" }).waitFor({ timeout: 120_000 });
  await page.locator("[data-testid=log]", { hasText: "loaded 2026-12-07" }).waitFor({ timeout: 60_000 });
  const log = await page.locator("[data-testid=log]").textContent();
  check(!log.includes(SECRET_VALUE), "the secret's value is in the log");
  await page.getByText("{\"day\":\"2026-12-07\"}").waitFor();
  // the timeline: one bar per attempt, laid out by time; a bar opens that attempt's log
  await page.locator(".timeline-row[data-task=load] .timeline-bar.state-succeeded").waitFor({ timeout: 30_000 });
  const bars = await page.locator(".timeline-bar").count();
  check(bars === 2, `2 attempts on the timeline, not ${bars}`);
  await page.locator(".timeline-row[data-task=extract] .timeline-bar").click();
  await page.locator("[data-testid=log]", { hasText: "extract 2026-12-07" }).waitFor({ timeout: 30_000 });
  check(page.url().includes("task=extract&attempt=1"), `the bar's attempt is in the URL: ${page.url()}`);
  await page.locator("tr[data-task=load] button").click();
  await page.locator("[data-testid=log]", { hasText: "loaded 2026-12-07" }).waitFor({ timeout: 30_000 });
  await page.getByText("SLA").first().waitFor();
  await page.screenshot({ path: `${SHOTS}/run.png`, fullPage: true });
  await axe(page, "the run page");
});

await scenario("3. a long task is cancelled from the run page and shows CANCELLED", async () => {
  check(alice, "alice did not sign in");
  const { page } = alice;
  lastPage = page;
  await page.goto(`${BASE_URL}/e/${ENV}/pipelines/${LONG_PIPELINE}`);
  await page.getByRole("button", { name: "Start run…" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Start" }).click();
  await page.waitForURL(/\/runs\/[0-9a-f-]+/, { timeout: 30_000 });
  // queued or already running: the dispatch to the worker's share group can lag on a loaded
  // machine (seen: a task QUEUED for minutes), and cancel must work in both states
  await page.locator("tr[data-task=sleeper]:is([data-state=QUEUED], [data-state=RUNNING])").waitFor({ timeout: 60_000 });
  // the screenshot of a long run still running (docs/console.md): running if the worker has it
  // within 30 s, else queued; the live updates move it, no reload
  await page.locator("tr[data-task=sleeper][data-state=RUNNING]").waitFor({ timeout: 30_000 }).catch(() => {});
  await page.locator(".react-flow__node", { hasText: "sleeper" }).waitFor();
  await page.screenshot({ path: `${SHOTS}/run-live.png`, fullPage: true });
  console.log(`  sleeper is ${await page.locator("tr[data-task=sleeper]").getAttribute("data-state")} when cancelled`);
  await page.getByRole("button", { name: "Cancel", exact: true }).click();
  await page.locator("h1 .badge.state-cancelled").waitFor({ timeout: 60_000 });
  await page.locator("tr[data-task=sleeper][data-state=CANCELLED]").waitFor({ timeout: 60_000 });
  check((await page.getByRole("button", { name: "Cancel", exact: true }).count()) === 0, "a cancelled run still offers Cancel");
  await page.getByRole("button", { name: "Rerun" }).waitFor();
});

await scenario("5. a session ended at the provider is renewed through sign-in without losing the page", async () => {
  check(alice, "alice did not sign in");
  const { page } = alice;
  lastPage = page;
  const where = `/e/${ENV}/runs?pipeline=${PIPELINE}`;
  await page.goto(BASE_URL + where);
  await page.locator("h1", { hasText: "Runs" }).waitFor();
  // alice's sessions end at Keycloak (what an admin's "sign out everywhere", an idle timeout or a
  // disabled account does): the gateway's next refresh of her 30 s tokens is refused
  await endSessionsOf("alice");
  // each load of the page asks the API; once her tokens have expired the gateway cannot renew
  // them, and the console goes through sign-in: Keycloak's form, the session being gone
  await until(async () => {
    await page.goto(BASE_URL + where).catch(() => {}); // a redirect may interrupt it
    return page.locator("#username").waitFor({ timeout: 5_000 }).then(() => true, () => false);
  }, 120_000, "Keycloak's sign-in form after the session ended");
  await page.fill("#username", "alice");
  await page.fill("#password", "alice");
  await Promise.all([page.waitForURL((u) => u.toString() === BASE_URL + where, { timeout: 60_000 }), page.click("#kc-login")]);
  await page.locator("[data-testid=me]", { hasText: "alice" }).waitFor({ timeout: 60_000 });
  await page.locator("h1", { hasText: "Runs" }).waitFor();
});

await scenario("7. schedules, secrets, code files, API keys, role bindings and the audit log", async () => {
  check(alice, "alice did not sign in");
  const { page } = alice;
  lastPage = page;
  // a schedule, made paused: its next fires are shown before it runs
  await page.goto(`${BASE_URL}/e/${ENV}/schedules?pipeline=${PIPELINE}`);
  await page.getByText("New schedule").click();
  await page.getByLabel("Rule", { exact: true }).fill("0 6 * * *");
  await page.getByLabel("Time zone (IANA)", { exact: true }).fill("Europe/Paris");
  await page.getByLabel("Params (JSON, optional)", { exact: true }).fill('{"day": "2026-12-08"}');
  // the next fires of the rule as typed, before it is created
  const draft = page.getByRole("list", { name: "Next fires of this rule" }).locator("li");
  await draft.nth(9).waitFor({ timeout: 30_000 });
  check(/06:00/.test(await draft.first().textContent()), `the draft's first fire is at 06:00 Paris time: ${await draft.first().textContent()}`);
  await page.getByRole("button", { name: "Create schedule" }).click();
  await page.waitForURL(/\/schedules\/[0-9a-f-]+$/, { timeout: 30_000 });
  await page.locator("h1 .badge.state-paused").waitFor();
  const fires = page.getByRole("list", { name: "Next fires" }).locator("li");
  await fires.nth(9).waitFor({ timeout: 30_000 });
  check(/06:00/.test(await fires.first().textContent()), `the first fire is at 06:00 Paris time: ${await fires.first().textContent()}`);
  await page.getByRole("button", { name: "Resume" }).click();
  await page.locator("h1 .badge.state-enabled").waitFor({ timeout: 30_000 });
  // edited: a careless rule is refused by the scheduler in the preview and cannot be saved; a
  // good one is previewed, saved, and the schedule's own next fires follow it
  await page.getByRole("button", { name: "Edit" }).click();
  const edit = page.getByRole("region", { name: "Edit schedule" });
  await edit.getByLabel("Rule", { exact: true }).fill("61 * * * *");
  await edit.getByRole("alert").waitFor({ timeout: 30_000 });
  check(await edit.getByRole("button", { name: "Save schedule" }).isDisabled(), "a refused rule can be saved");
  await edit.getByLabel("Rule", { exact: true }).fill("30 7 * * *");
  await edit.getByRole("list", { name: "Next fires of this rule" }).locator("li", { hasText: "07:30" }).first().waitFor({ timeout: 30_000 });
  await edit.getByRole("button", { name: "Save schedule" }).click();
  await page.getByRole("status").filter({ hasText: "Saved." }).waitFor({ timeout: 30_000 });
  await page.getByRole("list", { name: "Next fires" }).locator("li", { hasText: "07:30" }).first().waitFor({ timeout: 30_000 });
  await page.locator("h1 .badge.state-enabled").waitFor();
  await page.screenshot({ path: `${SHOTS}/schedule.png` });
  await axe(page, "the schedule page");
  // an event trigger: PIPELINE runs when LONG_PIPELINE fails; then edited to any end
  await page.goto(`${BASE_URL}/e/${ENV}/schedules?pipeline=${PIPELINE}`);
  await page.getByText("New event trigger").click();
  await page.getByLabel("Upstream pipeline").selectOption(LONG_PIPELINE);
  await page.getByLabel("When it ends").selectOption("FAILED");
  await page.getByRole("button", { name: "Create trigger" }).click();
  await page.waitForURL(/\/triggers\/[0-9a-f-]+$/, { timeout: 30_000 });
  await page.getByText(`${LONG_PIPELINE} ends FAILED`).waitFor();
  await page.getByRole("button", { name: "Edit" }).click();
  await page.getByLabel("When it ends").selectOption("ANY");
  await page.getByRole("button", { name: "Save trigger" }).click();
  await page.getByText(`${LONG_PIPELINE} ends ANY`).waitFor({ timeout: 30_000 });
  await page.locator("h1 .badge.state-paused").waitFor();
  await axe(page, "the trigger page");
  await page.goto(`${BASE_URL}/e/${ENV}/pipelines`);
  await page.locator(`tr[data-pipeline=${PIPELINE}] .badge.state-succeeded`).waitFor({ timeout: 30_000 });
  check(/\d{4}-\d\d-\d\dT/.test(await page.locator(`tr[data-pipeline=${PIPELINE}] td`).nth(4).textContent()), "no next fire in the pipelines list");
  await page.screenshot({ path: `${SHOTS}/pipelines.png` });
  // secrets: names, versions, grants; the value is never on the page
  await page.goto(`${BASE_URL}/e/${ENV}/secrets`);
  await page.getByRole("link", { name: SECRET_NAME }).click();
  await page.getByRole("table", { name: "Secret audit" }).waitFor({ timeout: 30_000 });
  check(!(await page.content()).includes(SECRET_VALUE), "a secret's value is on the page");
  await page.screenshot({ path: `${SHOTS}/secret.png` });
  await axe(page, "the secret page");
  // a code file: new, typed, saved, in the tree
  await page.goto(`${BASE_URL}/e/${ENV}/pipelines/${PIPELINE}/files`);
  await page.getByLabel("New file", { exact: true }).fill("lib/util.py");
  await page.getByRole("button", { name: "Open" }).click();
  await page.locator("[data-testid=file-editor] .cm-content").click();
  await page.keyboard.insertText("def day():\n    return 'monday'\n");
  await page.getByRole("button", { name: "Save file" }).click();
  await page.getByRole("navigation", { name: "Files" }).getByRole("link", { name: "util.py" }).waitFor({ timeout: 30_000 });
  await page.screenshot({ path: `${SHOTS}/files.png` });
  await axe(page, "the files page");
  // an API key, shown once
  await page.goto(`${BASE_URL}/account/api-keys`);
  await page.getByText("New API key").click();
  const keyName = `ci-e2e-${Date.now()}`;
  await page.getByLabel("Name", { exact: true }).fill(keyName);
  await page.locator("details select").first().selectOption(ENV);
  await page.getByRole("button", { name: "Create key" }).click();
  const key = await page.getByTestId("new-key").textContent({ timeout: 30_000 });
  check(key && key.length > 20, `no key shown: ${key}`);
  await page.getByRole("button", { name: "Done" }).click();
  await page.getByRole("cell", { name: keyName }).waitFor();
  check(!(await page.content()).includes(key), "the key is shown again");
  await axe(page, "the API keys page");
  // admin pages
  await page.goto(`${BASE_URL}/admin/role-bindings`);
  await page.getByRole("heading", { name: "Role bindings" }).waitFor();
  await page.waitForFunction(() => !document.querySelector("[aria-busy=true]"));
  await axe(page, "the role bindings page");
  await page.goto(`${BASE_URL}/admin/audit?environment=${ENV}&action=createSchedule`);
  await page.getByRole("cell", { name: "createSchedule" }).first().waitFor({ timeout: 30_000 });
  await page.screenshot({ path: `${SHOTS}/audit.png` });
  await axe(page, "the audit log");
});

await scenario("8. a second release, its diff with the first, a rollback, and the offline banner", async () => {
  check(alice, "alice did not sign in");
  const { page, context } = alice;
  lastPage = page;
  await page.goto(`${BASE_URL}/e/${ENV}/pipelines/${PIPELINE}`);
  await page.waitForSelector(".cm-content");
  await replaceEditorText(page, FIXED.replace('echo "extract $DP_PARAM_day"', 'echo "extract v2 $DP_PARAM_day"'));
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=problems] li").length === 0, null, { timeout: 30_000 });
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByRole("status").filter({ hasText: "Saved." }).waitFor({ timeout: 30_000 });
  await page.getByRole("button", { name: "Release" }).click();
  await page.getByRole("status").filter({ hasText: "Released" }).waitFor({ timeout: 60_000 });
  const releases = page.getByRole("table", { name: "Releases" }).locator("tr[data-release]");
  await releases.nth(1).waitFor({ timeout: 30_000 });
  check((await releases.first().textContent()).includes("current"), "the newest release is not the current one");
  await releases.nth(1).getByRole("button", { name: "Diff with current" }).click();
  const diff = page.getByRole("table", { name: "Release diff" });
  await diff.locator("tr", { hasText: "tasks.extract.script" }).waitFor({ timeout: 30_000 });
  check((await diff.textContent()).includes("extract v2"), "the diff does not show the new script");
  await page.screenshot({ path: `${SHOTS}/pipeline-releases.png`, fullPage: true });
  page.once("dialog", (d) => d.accept());
  await releases.nth(1).getByRole("button", { name: "Roll back to this" }).click();
  await page.getByRole("status").filter({ hasText: "Rolled back to" }).waitFor({ timeout: 30_000 });
  await page.getByRole("table", { name: "Deployments" }).locator("td", { hasText: "ROLLBACK" }).waitFor({ timeout: 30_000 });
  await axe(page, "the pipeline page with its releases");
  // offline: the banner shows while the browser has no network and goes when it is back
  await context.setOffline(true);
  await page.getByTestId("offline").waitFor({ timeout: 10_000 });
  await page.screenshot({ path: `${SHOTS}/offline.png` });
  await context.setOffline(false);
  await page.getByTestId("offline").waitFor({ state: "detached", timeout: 30_000 });
});

await scenario("6. the home, pipelines, runs and workers pages have no serious accessibility violation", async () => {
  check(alice, "alice did not sign in");
  const { page } = alice;
  for (const [path, file] of [[`/e/${ENV}`, "home"], [`/e/${ENV}/pipelines`, "pipelines"], [`/e/${ENV}/runs`, "runs"], [`/e/${ENV}/workers`, "workers"]]) {
    await page.goto(BASE_URL + path);
    await page.locator("h1").first().waitFor();
    await page.waitForFunction(() => !document.querySelector("[aria-busy=true]"));
    await page.screenshot({ path: `${SHOTS}/${file}.png` });
    await axe(page, path);
  }
  await page.goto(`${BASE_URL}/e/${ENV}/workers`);
  await page.locator("td", { hasText: GROUP }).first().waitFor({ timeout: 30_000 });
});

await scenario("4. bob, with no right in alice's environment, sees none of her pipelines and is offered nothing", async () => {
  const bob = await signIn("bob", `/e/${ENV}/pipelines`);
  const { page } = bob;
  check((await page.getByRole("link", { name: /Role bindings|Audit log/ }).count()) === 0, "bob is offered the admin pages");
  await page.getByText(`There is no environment “${ENV}” that you may see.`).waitFor();
  check((await page.getByText(PIPELINE).count()) === 0, "bob sees alice's pipeline");
  check((await page.getByRole("button", { name: "Create" }).count()) === 0, "bob is offered Create");
  const options = await page.locator("[data-testid=env-switcher] option").allTextContents();
  check(!options.includes(ENV), `bob's environment switcher lists ${ENV}`);
  await page.goto(`${BASE_URL}${new URL(runUrl ?? BASE_URL).pathname}`);
  await page.getByText(`There is no environment “${ENV}” that you may see.`).waitFor();
  check((await page.getByRole("button", { name: /Cancel|Rerun/ }).count()) === 0, "bob is offered a run action");
  for (const path of [`/e/${ENV}/secrets`, `/e/${ENV}/schedules`, `/e/${ENV}/pipelines/${PIPELINE}/files`]) {
    await page.goto(BASE_URL + path);
    await page.getByText(`There is no environment “${ENV}” that you may see.`).waitFor();
    check(!(await page.content()).includes(SECRET_NAME), `bob sees the secret's name on ${path}`);
  }
  await bob.context.close();
});

await browser.close();
const failed = results.filter((r) => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
