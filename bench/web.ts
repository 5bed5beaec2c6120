/**
 * Web performance (issue 12): the production build of apps/web (`next build`), then
 *  1. first-load JavaScript per route, gzipped, as the browser fetches it (the route's chunks in
 *     the build manifests), beside the part every route shares (the framework: the baseline);
 *     target for the chat page: <= 200 KB;
 *  2. Lighthouse's performance score (lighthouse from npm, Debian's chromium) of the production
 *     server's sign-in and chat pages, mobile (Lighthouse's default: simulated slow 4G and a 4x
 *     slower CPU) and desktop, beside a static page of a few bytes served the same way (the best
 *     this machine scores); target >= 90.
 * The API runs in this process on FerretDB (or MONGODB_URI) with the Bedrock stand-in.
 *
 *   pnpm bench:web        (SKIP_BUILD=1 reuses apps/web/.next-bench)
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const WEB = path.join(ROOT, "apps/web");
const DIST = process.env.BENCH_WEB_DIST ?? ".next-bench";
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

function build(): void {
  if (process.env.SKIP_BUILD) return;
  console.log("building apps/web for production (next build)...");
  const result = spawnSync("pnpm", ["exec", "next", "build"], { cwd: WEB, env: { ...process.env, NEXT_DIST_DIR: DIST, NEXT_TELEMETRY_DISABLED: "1" }, stdio: ["ignore", "ignore", "inherit"] });
  if (result.status !== 0) throw new Error(`next build failed (exit ${result.status})`);
}

/** Gzipped first-load JS of each app route: its chunks plus the root ones every page loads. */
function firstLoad(): void {
  const dist = path.join(WEB, DIST);
  const app = JSON.parse(readFileSync(path.join(dist, "app-build-manifest.json"), "utf8")) as { pages: Record<string, string[]> };
  const root = JSON.parse(readFileSync(path.join(dist, "build-manifest.json"), "utf8")) as { rootMainFiles?: string[]; polyfillFiles?: string[] };
  const sizes = new Map<string, number>();
  const gz = (file: string) => {
    let size = sizes.get(file);
    if (size === undefined) {
      size = gzipSync(readFileSync(path.join(dist, file)), { level: 9 }).length;
      sizes.set(file, size);
    }
    return size;
  };
  const shared = new Set((root.rootMainFiles ?? []).filter((f) => f.endsWith(".js")));
  const total = (files: Iterable<string>) => [...files].reduce((sum, f) => sum + gz(f), 0);
  const rows = Object.entries(app.pages)
    .filter(([route]) => route.endsWith("/page"))
    .map(([route, files]) => ({ route: route.replace(/\/page$/, "") || "/", bytes: total(new Set([...shared, ...files.filter((f) => f.endsWith(".js"))])) }))
    .sort((a, b) => b.bytes - a.bytes);
  console.log("\nfirst-load JavaScript per route (gzip -9, production build)");
  console.log(`  baseline: what every route loads (framework, runtime)   ${kb(total(shared))}`);
  for (const r of rows) console.log(`  ${r.route.padEnd(55)} ${kb(r.bytes).padStart(9)}`);
  const chat = rows.find((r) => r.route === "/orgs/[orgId]/notebooks/[notebookId]");
  if (chat) console.log(`  chat page: ${kb(chat.bytes)} (target <= 200 KB: ${chat.bytes <= 200 * 1024 ? "met" : "MISSED"})`);
}

/** Lighthouse's performance metrics (audit id, label, unit), printed beside each page's score. */
const METRICS: ReadonlyArray<readonly [string, string, "ms" | "score"]> = [
  ["first-contentful-paint", "FCP", "ms"],
  ["largest-contentful-paint", "LCP", "ms"],
  ["total-blocking-time", "TBT", "ms"],
  ["cumulative-layout-shift", "CLS", "score"],
  ["speed-index", "SI", "ms"],
];

/** The largest contentful paint's element, as Lighthouse quotes it (its HTML, shortened). */
function lcpSnippet(details: unknown): string {
  const found = JSON.stringify(details ?? {}).match(/"snippet":"((?:[^"\\]|\\.)*)"/);
  return found ? JSON.parse(`"${found[1]}"`).slice(0, 160) : "";
}

/**
 * BENCH_WEB_TRACE=1: the chat page once more in a 4x slower CPU, printing each largest-contentful-paint
 * candidate (when, which element, whether that node is still the one in the page) and what the
 * console said: a paint that comes late, or a node React replaced while hydrating, shows here.
 */
async function tracePaints(port: number, url: string): Promise<void> {
  const puppeteer = (await import("puppeteer-core")).default;
  const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${port}` });
  const page = await browser.newPage();
  try {
    await page.emulateCPUThrottling(4);
    // Lighthouse's phone: its screen, pixel ratio and touch.
    await page.setViewport({ width: 412, height: 823, deviceScaleFactor: 1.75, isMobile: true, hasTouch: true });
    page.on("console", (m) => console.log(`      console ${m.type()}: ${m.text().slice(0, 200)}`));
    // In the page (a string: this file is compiled without the DOM's types).
    await page.evaluateOnNewDocument(`
      window.__lcp = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__lcp.push({ at: e.startTime, tag: e.element ? e.element.tagName + " " + (e.element.getAttribute("data-testid") || "") : "?", node: e.element });
      }).observe({ type: "largest-contentful-paint", buffered: true });
    `);
    const cdp = await page.createCDPSession();
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
    await cdp.send("Profiler.start");
    await page.tracing.start({ categories: ["devtools.timeline", "loading"] });
    await page.goto(url, { waitUntil: "networkidle0" });
    // Where the script time went, by function (self time; names are readable in a build without minification).
    const { profile } = (await cdp.send("Profiler.stop")) as { profile: { nodes: Array<{ id: number; children?: number[]; callFrame: { functionName: string; url: string; lineNumber: number } }>; samples: number[]; timeDeltas: number[]; startTime: number } };
    const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map<string, number>();
    profile.samples.forEach((id, i) => {
      const frame = byNode.get(id)!.callFrame;
      const key = `${frame.functionName || "(anonymous)"} ${frame.url.replace(/^.*\/_next\/static\/chunks\//, "")}:${frame.lineNumber}`;
      self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
    });
    for (const [key, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`      self ${ms.toFixed(1).padStart(7)} ms  ${key.slice(0, 110)}`);
    const profileOfLongest = { profile, byNode };
    const trace = JSON.parse(Buffer.from(await page.tracing.stop() ?? new Uint8Array()).toString("utf8")) as { traceEvents: Array<{ name: string; ts: number; dur?: number; ph: string; args?: { data?: { url?: string; frame?: string }; beginData?: { startLine?: number } } }> };
    const start = trace.traceEvents.find((e) => e.name === "navigationStart")?.ts ?? 0;
    for (const e of trace.traceEvents) {
      if (e.ph !== "X" || (e.dur ?? 0) < 8000 || e.ts < start) continue;
      if (!["ParseHTML", "EvaluateScript", "FunctionCall", "Layout", "Paint", "UpdateLayoutTree", "RunTask", "v8.compile", "TimerFire", "EventDispatch"].includes(e.name)) continue;
      if (e.name === "RunTask") continue;
      const what = e.args?.data?.url?.replace(/^.*\/_next\/static\/chunks\//, "") ?? (e.args?.beginData?.startLine !== undefined ? `line ${e.args.beginData.startLine}` : "");
      console.log(`      ${String(Math.round((e.ts - start) / 1000)).padStart(5)} ms  ${e.name.padEnd(16)} ${String(Math.round((e.dur ?? 0) / 1000)).padStart(4)} ms  ${what.slice(0, 80)}`);
    }
    const seen = (await page.evaluate(`({
      paint: performance.getEntriesByType("paint").map((p) => p.name + " " + Math.round(p.startTime) + " ms"),
      lcp: window.__lcp.map((e) => ({ at: Math.round(e.at), tag: e.tag, attached: e.node ? e.node.isConnected : false })),
    })`)) as { paint: string[]; lcp: Array<{ at: number; tag: string; attached: boolean }> };
    console.log(`      paints: ${seen.paint.join(", ")}`);
    const longest = trace.traceEvents.filter((e) => e.ph === "X" && e.name === "FunctionCall").sort((a, b) => (b.dur ?? 0) - (a.dur ?? 0))[0];
    if (longest) {
      const { profile, byNode } = profileOfLongest;
      const parent = new Map<number, number>();
      for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
      const inclusive = new Map<string, number>();
      let t = profile.startTime;
      profile.samples.forEach((id, i) => {
        t += profile.timeDeltas[i] ?? 0;
        if (t < longest.ts || t > longest.ts + (longest.dur ?? 0)) return;
        const seenKeys = new Set<string>();
        for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
          const f = byNode.get(at)!.callFrame;
          const key = `${f.functionName || "(anonymous)"} ${f.url.replace(/^.*\/_next\/static\/chunks\//, "")}:${f.lineNumber + 1}`;
          if (seenKeys.has(key)) continue;
          seenKeys.add(key);
          inclusive.set(key, (inclusive.get(key) ?? 0) + 1);
        }
      });
      const selfIn = new Map<string, number>();
      t = profile.startTime;
      profile.samples.forEach((id, i) => {
        t += profile.timeDeltas[i] ?? 0;
        if (t < longest.ts || t > longest.ts + (longest.dur ?? 0)) return;
        const f = byNode.get(id)!.callFrame;
        const key = `${f.functionName || "(anonymous)"} ${f.url.replace(/^.*\/_next\/static\/chunks\//, "")}:${f.lineNumber + 1}`;
        selfIn.set(key, (selfIn.get(key) ?? 0) + 1);
      });
      console.log(`      in the longest task (${Math.round((longest.dur ?? 0) / 1000)} ms), samples by function (self):`);
      for (const [key, n] of [...selfIn].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`        ${String(n).padStart(5)}  ${key.slice(0, 120)}`);
      console.log(`      in the longest task (${Math.round((longest.dur ?? 0) / 1000)} ms), samples by function (inclusive):`);
      for (const [key, n] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, 45)) console.log(`        ${String(n).padStart(5)}  ${key.slice(0, 120)}`);
    }
    for (const e of seen.lcp) console.log(`      LCP candidate at ${e.at} ms: ${e.tag} (${e.attached ? "still in the page" : "replaced since"})`);
  } finally {
    await page.close();
    await browser.disconnect();
  }
}

async function lighthouseScores(): Promise<void> {
  const { startFerretDB, startPostgres, startBedrockStandIn } = await import("@tandem/local");
  const { startServer } = await import("@tandem/api");
  const { getConnection, closeConnection } = await import("@tandem/core/database");
  const { signUp, verifyEmail } = await import("@tandem/core/identity");
  const { createOrganisation } = await import("@tandem/core/tenants");
  const { createNotebook } = await import("@tandem/core/notebooks");
  const { LOCAL_TEST_MODEL } = await import("@tandem/core/ai");
  const lighthouse = (await import("lighthouse")).default;
  const desktop = (await import("lighthouse/core/config/desktop-config.js")).default;
  const chromeLauncher = await import("chrome-launcher");
  const getPort = (await import("get-port")).default;

  const dataDir = mkdtempSync(path.join(os.tmpdir(), "tandem-bench-web-"));
  const postgres = process.env.MONGODB_URI ? undefined : await startPostgres({ dataDir: path.join(dataDir, "postgres"), name: "postgres-bench-web" });
  const ferret = postgres ? await startFerretDB({ dataDir: path.join(dataDir, "ferretdb"), name: "ferretdb-bench-web", postgresUrl: postgres.url }) : undefined;
  const uri = `${process.env.MONGODB_URI ?? ferret!.uri}/bench-web`;
  const standIn = await startBedrockStandIn({ tokenDelayMs: 1 });
  const webPort = await getPort({ host: "127.0.0.1" });
  const webUrl = `http://127.0.0.1:${webPort}`;
  const connection = await getConnection({ uri });
  await connection.dropDatabase();
  const api = await startServer({ MONGODB_URI: uri, SESSION_SECRET: "bench-web-session-secret-0123456789abcdef", JWT_SECRET: "bench-web-jwt-secret-0123456789abcdef012345", APP_URL: webUrl, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: standIn.url, LOG_LEVEL: "silent" }, 0);
  const user = { email: "bench@web.test", password: "bench web passphrase", name: "Bench" };
  const { account, verifyToken } = await signUp(connection, user);
  await verifyEmail(connection, verifyToken);
  const org = await createOrganisation(connection, account.id, { name: "Bench", slug: "bench-web" });
  const notebook = await createNotebook(connection, { tenantId: org.id, userId: account.id }, { title: "Bench notebook" }, { modelId: LOCAL_TEST_MODEL.id });
  // And one with a conversation (its replies Markdown, with a code block), as most chats are.
  const conversation = await createNotebook(connection, { tenantId: org.id, userId: account.id }, { title: "Bench conversation" }, { modelId: LOCAL_TEST_MODEL.id });

  const web = spawn("pnpm", ["exec", "next", "start", "--hostname", "127.0.0.1", "--port", String(webPort)], {
    cwd: WEB,
    env: { ...process.env, NEXT_DIST_DIR: DIST, TANDEM_API_URL: api.url, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
    stdio: "ignore",
    detached: true,
  });
  const statik = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><html lang=en><title>static</title><meta name=viewport content='width=device-width'><p>Hello</p>")).listen(0, "127.0.0.1");
  // Without paint holding: each run measures a fresh visit. With it, Chromium keeps showing the
  // previous page of the same site (the last run's) until the new one is ready, and Lighthouse saw
  // the chat page's first paint at 1.3 s instead of 0.2-0.3 s in about half the runs.
  const chrome = await chromeLauncher.launch({ chromePath: CHROMIUM, chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-features=PaintHolding"] });
  try {
    for (let i = 0; i < 120; i++) {
      if (await fetch(`${webUrl}/sign-in`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    // A session as the browser gets one: signed in through the site's own /api.
    const signIn = await fetch(`${webUrl}/api/auth/sign-in`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: user.email, password: user.password }) });
    if (!signIn.ok) throw new Error(`sign-in answered ${signIn.status}`);
    // Into Chromium's cookie jar, as a browser that signed in holds them, for the pages measured
    // signed in (the page's script reads the anti-forgery cookie for its writes: the live ticket);
    // the jar is emptied for the others (sign-in is measured as a visitor sees it).
    const puppeteer = (await import("puppeteer-core")).default;
    const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}` });
    const cdp = await browser.target().createCDPSession();
    const cookies = signIn.headers.getSetCookie().map((line) => {
      const [pair = "", ...attributes] = line.split(";").map((part) => part.trim());
      const at = pair.indexOf("=");
      return { name: pair.slice(0, at), value: pair.slice(at + 1), url: webUrl, httpOnly: attributes.some((a) => a.toLowerCase() === "httponly") };
    });
    const cookieHeader = cookies.map((c) => `${c.name}=${c.value}`).join("; ");
    const chatUrl = `${webUrl}/orgs/${org.id}/notebooks/${notebook.id}`;
    const csrf = cookies.find((c) => c.name === "tandem_csrf")?.value ?? "";
    const questions = [
      "What are **spring tides**, in a few lines?",
      "List three things that change the height of a tide.",
      "Show a short TypeScript function that averages an array of numbers:\n\n```ts\nconst xs = [1, 2, 3];\n```",
    ];
    for (const text of questions) {
      const sent = await fetch(`${webUrl}/api/orgs/${org.id}/notebooks/${conversation.id}/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie: cookieHeader, "x-csrf-token": decodeURIComponent(csrf) },
        body: JSON.stringify({ text, modelId: LOCAL_TEST_MODEL.id }),
      });
      if (!sent.ok) throw new Error(`a bench question was refused (${sent.status}): ${await sent.text()}`);
      await sent.text();
    }
    const firstResponse = await fetch(chatUrl, { headers: { cookie: cookieHeader } });
    const firstHtml = await firstResponse.text();
    // It holds the person's data: no shared cache (CloudFront on AWS) may keep it.
    console.log(`\nthe chat page's HTML is sent with Cache-Control: ${firstResponse.headers.get("cache-control")}`);
    if (process.env.BENCH_WEB_DUMP) (await import("node:fs")).writeFileSync(process.env.BENCH_WEB_DUMP, firstHtml);
    console.log(`the chat page's first HTML holds the thread (server-rendered): ${firstHtml.includes('data-testid="empty-thread"') ? "yes" : "NO"}`);
    const pages: Array<{ name: string; url: string; signedIn: boolean }> = [
      { name: "static page (baseline)", url: `http://127.0.0.1:${(statik.address() as { port: number }).port}/`, signedIn: false },
      { name: "sign-in", url: `${webUrl}/sign-in`, signedIn: false },
      { name: "chat", url: chatUrl, signedIn: true },
      { name: "chat with a conversation", url: `${webUrl}/orgs/${org.id}/notebooks/${conversation.id}`, signedIn: true },
    ];
    /** The jar as the page needs it, and the page once rendered by the server (a production server is warm). */
    const prepare = async (page: (typeof pages)[number]) => {
      await cdp.send("Storage.clearCookies", {});
      if (page.signedIn) await cdp.send("Storage.setCookies", { cookies });
      await fetch(page.url, { headers: page.signedIn ? { cookie: cookieHeader } : {} }).then((r) => r.text());
    };
    if (process.env.BENCH_WEB_TRACE) {
      for (const p of pages.filter((p) => p.name.startsWith(process.env.BENCH_WEB_TRACE!))) {
        await prepare(p);
        await tracePaints(chrome.port, p.url);
      }
    }
    console.log("\nLighthouse performance score (production server; median of 3 runs; target >= 90)");
    // Lighthouse simulates a slow phone from what this machine really did: other work on its cores
    // lengthens the observed tasks, and with them the blocking time. Say so when the figures suffer.
    const [load] = os.loadavg();
    const busy = load! > os.cpus().length / 2;
    console.log(`  load average ${load!.toFixed(2)} on ${os.cpus().length} cores${busy ? ": the machine is busy, so blocking time and scores come out worse than on an idle one" : ""}`);
    // BENCH_WEB_PAGES=chat (names, comma-separated) measures only those pages.
    const only = process.env.BENCH_WEB_PAGES?.split(",").map((s) => s.trim());
    for (const page of pages.filter((p) => !only || only.some((name) => p.name.startsWith(name)))) {
      await prepare(page);
      const scores: Record<string, number[]> = { mobile: [], desktop: [] };
      // The metrics the score is made of, per run of the mobile form: where a low score comes from.
      const metrics: Record<string, number[]> = Object.fromEntries(METRICS.map(([id]) => [id, []]));
      let lcpElement = "";
      for (const [form, config] of [["mobile", undefined], ["desktop", desktop]] as const) {
        for (let run = 0; run < 3; run++) {
          const result = await lighthouse(page.url, { port: chrome.port, onlyCategories: ["performance"], logLevel: "error" }, config);
          scores[form]!.push(Math.round((result?.lhr.categories.performance?.score ?? 0) * 100));
          if (form === "mobile") for (const [id] of METRICS) metrics[id]!.push(result?.lhr.audits[id]?.numericValue ?? NaN);
          if (form === "mobile" && process.env.BENCH_WEB_SCRIPTS) {
            // What the unthrottled load really did, from which Lighthouse simulates the slow phone.
            const observed = ((result?.lhr.audits["metrics"]?.details as { items?: Array<Record<string, number>> } | undefined)?.items ?? [])[0] ?? {};
            const tasks = ((result?.lhr.audits["main-thread-tasks"]?.details as { items?: Array<{ duration: number; startTime: number }> } | undefined)?.items ?? []).filter((t) => t.duration >= 15);
            console.log(`      run ${run + 1}: observed main-thread tasks of 15 ms or more: ${tasks.map((t) => `${Math.round(t.startTime)}+${Math.round(t.duration)}`).join(" ")}`);
            console.log(`      run ${run + 1}: score ${scores.mobile!.at(-1)}, observed FCP ${observed.observedFirstContentfulPaint} ms, LCP ${observed.observedLargestContentfulPaint} ms, DOMContentLoaded ${observed.observedDomContentLoaded} ms, load ${observed.observedLoad} ms; simulated LCP ${Math.round(metrics["largest-contentful-paint"]!.at(-1)!)} ms, TBT ${Math.round(metrics["total-blocking-time"]!.at(-1)!)} ms`);
          }
          if (form === "mobile" && run === 0) {
            lcpElement = lcpSnippet(result?.lhr.audits["largest-contentful-paint-element"]?.details);
            if (process.env.BENCH_WEB_SCRIPTS) {
              const items = ((result?.lhr.audits["bootup-time"]?.details as { items?: Array<{ url: string; scripting: number }> } | undefined)?.items ?? []).slice(0, 8);
              for (const i of items) console.log(`      script ${Math.round(i.scripting)} ms  ${i.url.replace(webUrl, "")}`);
              const tasks = ((result?.lhr.audits["long-tasks"]?.details as { items?: Array<{ url: string; duration: number; startTime: number }> } | undefined)?.items ?? []).slice(0, 10);
              for (const t of tasks) console.log(`      long task ${Math.round(t.duration)} ms at ${Math.round(t.startTime)} ms  ${t.url.replace(webUrl, "")}`);
              const shifts = ((result?.lhr.audits["layout-shifts"]?.details as { items?: Array<{ node?: { snippet?: string }; score: number }> } | undefined)?.items ?? []).slice(0, 5);
              for (const x of shifts) console.log(`      layout shift ${x.score.toFixed(3)}  ${(x.node?.snippet ?? "").slice(0, 140)}`);
              // Errors in the console (a hydration mismatch makes React render the page again).
              const logged = await lighthouse(page.url, { port: chrome.port, onlyAudits: ["errors-in-console", "network-requests"], logLevel: "error" });
              for (const e of ((logged?.lhr.audits["errors-in-console"]?.details as { items?: Array<{ description?: string; source?: string }> } | undefined)?.items ?? []).slice(0, 5)) {
                console.log(`      console error (${e.source ?? "?"}): ${(e.description ?? "").slice(0, 200)}`);
              }
              const requests = (logged?.lhr.audits["network-requests"]?.details as { items?: Array<{ url: string; statusCode: number; networkRequestTime?: number }> } | undefined)?.items ?? [];
              for (const r of requests.filter((x) => !x.url.includes("/_next/static/"))) console.log(`      request ${r.statusCode} at ${Math.round(r.networkRequestTime ?? 0)} ms  ${r.url.replace(webUrl, "").slice(0, 120)}`);
            }
          }
        }
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
      console.log(`  ${page.name.padEnd(24)} mobile ${String(median(scores.mobile!)).padStart(3)}   desktop ${String(median(scores.desktop!)).padStart(3)}   (runs: ${scores.mobile!.join("/")}, ${scores.desktop!.join("/")})`);
      console.log(`  ${"".padEnd(24)} mobile medians: ${METRICS.map(([id, label, unit]) => `${label} ${unit === "ms" ? `${Math.round(median(metrics[id]!))} ms` : median(metrics[id]!).toFixed(3)}`).join(" · ")}`);
      if (lcpElement) console.log(`  ${"".padEnd(24)} largest contentful paint: ${lcpElement}`);
    }
    await browser.disconnect();
  } finally {
    chrome.kill();
    statik.close();
    if (web.pid) process.kill(-web.pid, "SIGTERM");
    await api.close();
    await standIn.close();
    await closeConnection().catch(() => undefined);
    await ferret?.stop();
    await postgres?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

build();
firstLoad();
await lighthouseScores();
process.exit(0);
