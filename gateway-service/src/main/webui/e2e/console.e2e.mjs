// End-to-end tests of the console in Debian's Chromium (playwright-core, no downloaded browser),
// against the real services and Keycloak's real login page. Run by system-tests' ConsoleE2ETest,
// which starts the platform and passes what it made through the environment:
//   BASE_URL (the gateway), ENV (an environment whose worker group has workers), GROUP,
//   SECRET_NAME / SECRET_VALUE (a secret of ENV, granted to pipeline PIPELINE), SHOTS (a folder)
// Prints "N passed, N failed" and exits non-zero when a scenario fails.
import { chromium } from "playwright-core";
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const { BASE_URL, ENV, GROUP, SECRET_NAME, SECRET_VALUE, PIPELINE = "console-e2e" } = process.env;
const SHOTS = process.env.SHOTS ?? "e2e/out";
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
mkdirSync(SHOTS, { recursive: true });

const results = [];
async function scenario(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`PASS ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`FAIL ${name}: ${e?.stack ?? e}`);
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
  const violations = [];
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy|Refused to/.test(m.text())) violations.push(m.text());
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
  await page.screenshot({ path: `${SHOTS}/run.png` });
  await axe(page, "the run page");
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
  await page.getByText(`There is no environment “${ENV}” that you may see.`).waitFor();
  check((await page.getByText(PIPELINE).count()) === 0, "bob sees alice's pipeline");
  check((await page.getByRole("button", { name: "Create" }).count()) === 0, "bob is offered Create");
  const options = await page.locator("[data-testid=env-switcher] option").allTextContents();
  check(!options.includes(ENV), `bob's environment switcher lists ${ENV}`);
  await page.goto(`${BASE_URL}${new URL(runUrl ?? BASE_URL).pathname}`);
  await page.getByText(`There is no environment “${ENV}” that you may see.`).waitFor();
  check((await page.getByRole("button", { name: /Cancel|Rerun/ }).count()) === 0, "bob is offered a run action");
  await bob.context.close();
});

await browser.close();
const failed = results.filter((r) => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
