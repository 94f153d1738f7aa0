'use strict';
// Runs every journey in journeys/ (in file-name order), then the accessibility (axe-core) and
// HTML validity (Nu Html Checker) verdicts over every page the journeys checkpointed, and ends
// with the line "N passed, N failed". Started by ./run, which builds and serves the forum.
//
// Environment: E2E_MAIN_URL (rate limits off), E2E_LIMITED_URL (rate limits on), E2E_OUT (the
// output folder, target/e2e), E2E_ONLY (optional: comma-separated journey slugs to run),
// E2E_MOD_NAME and E2E_MOD_PASSWORD (the admin moderator made on the main forum).

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { Harness, log } = require('./lib/harness');
const { seed } = require('./lib/seed');

const JOURNEY_TIMEOUT_MS = 240_000;

function loadJourneys() {
  const dir = path.join(__dirname, 'journeys');
  const only = (process.env.E2E_ONLY || '').split(',').map((s) => s.trim()).filter(Boolean);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .sort()
    .map((f) => ({ file: f, ...require(path.join(dir, f)) }))
    .filter((j) => only.length === 0 || only.includes(j.slug));
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function describe(error) {
  if (!error) return 'unknown error';
  // eslint-disable-next-line no-control-regex
  const lines = String(error.stack || error).replace(/\u001b\[[0-9;]*m/g, '').split('\n');
  // The message, and the frames in this suite (not Playwright's internals).
  const keep = lines.filter((l, i) => i === 0 || !/^\s+at /.test(l) || /tests\/e2e\/(journeys|lib|main)/.test(l));
  return keep.slice(0, 12).join('\n');
}

async function screenshotsOnFailure(h, slug) {
  let n = 0;
  for (const context of h.contexts) {
    for (const page of context.pages()) {
      n += 1;
      const file = path.join(h.outDir, `FAILED-${slug}-${n}.png`);
      await page.screenshot({ path: file, fullPage: true }).catch(() => {});
      log(`    (page ${page.url()} saved as ${path.relative(process.cwd(), file)})`);
    }
  }
}

/** One java invocation over every saved page. Returns { files: {file: [messages]}, total }. */
function nuCheck(files) {
  const jar = require.resolve('vnu-jar/build/dist/vnu.jar');
  const run = spawnSync('java', ['-jar', jar, '--errors-only', '--format', 'json', ...files], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) throw run.error;
  const out = (run.stderr || '').trim() || (run.stdout || '').trim();
  let messages;
  try {
    messages = JSON.parse(out).messages;
  } catch {
    throw new Error(`the Nu checker did not answer JSON (exit ${run.status}): ${out.slice(0, 2000)}`);
  }
  const byFile = new Map(files.map((f) => [f, []]));
  let total = 0;
  for (const m of messages) {
    const file = m.url ? decodeURIComponent(m.url.replace(/^file:/, '')) : '(none)';
    const key = files.find((f) => path.resolve(f) === path.resolve(file)) || file;
    if (!byFile.has(key)) byFile.set(key, []);
    byFile.get(key).push(m);
    total += 1;
  }
  return { byFile, total };
}

async function main() {
  const outDir = path.resolve(process.env.E2E_OUT || path.join(__dirname, '../../target/e2e'));
  const servers = { main: process.env.E2E_MAIN_URL, limited: process.env.E2E_LIMITED_URL };
  if (!servers.main) throw new Error('E2E_MAIN_URL is not set: start the suite with tests/e2e/run');
  const h = new Harness({ outDir, servers });
  // The admin moderator that ./run made with `forum mod create` on the main forum.
  h.moderator = process.env.E2E_MOD_NAME
    ? { name: process.env.E2E_MOD_NAME, password: process.env.E2E_MOD_PASSWORD || '' }
    : null;
  const results = []; // { name, ok }
  const journeys = loadJourneys();

  await h.start();
  log(`Chromium ${h.browser.version()} via playwright-core; forum at ${servers.main} (rate limits off)` +
    (servers.limited ? ` and ${servers.limited} (rate limits on)` : ''));

  // Content for readers to find. If it cannot be made, the journeys that need it fail, and the
  // others (and the checks of the pages they saw) still run.
  const seedName = 'seed: two members start threads for the journeys to find';
  h.beginJourney('seed', 'seed');
  try {
    h.seed = await withTimeout(seed(h), 60_000, 'seeding');
    results.push({ name: seedName, ok: true });
    log(`ok - ${seedName}`);
  } catch (error) {
    h.seed = null;
    results.push({ name: seedName, ok: false });
    log(`not ok - ${seedName}`);
    log(describe(error).replace(/^/gm, '    '));
    await screenshotsOnFailure(h, 'seed');
  }
  await h.endJourney();

  for (const j of journeys) {
    const started = Date.now();
    log(`\n# ${j.name} (${j.file})`);
    h.beginJourney(j.name, j.slug);
    try {
      if (j.server && !servers[j.server]) throw new Error(`no forum is running for "${j.server}"`);
      if (j.needsSeed && !h.seed) throw new Error('not run: the seed step failed');
      if (j.needsModerator && !h.moderator) throw new Error('not run: no moderator (E2E_MOD_NAME is not set)');
      await withTimeout(j.run(h), JOURNEY_TIMEOUT_MS, j.name);
      results.push({ name: j.name, ok: true });
      log(`ok - ${j.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (error) {
      results.push({ name: j.name, ok: false });
      log(`not ok - ${j.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      log(describe(error).replace(/^/gm, '    '));
      await screenshotsOnFailure(h, j.slug);
    }
    await h.endJourney();
  }
  await h.stop();

  // Accessibility: every page type in every journey, light and dark.
  log('\n# axe-core (WCAG 2.0/2.1 A and AA) per page');
  let axeTotal = 0;
  for (const r of h.axeResults) {
    const count = r.violations.reduce((sum, v) => sum + v.nodes.length, 0);
    axeTotal += count;
    const rules = r.violations.map((v) => v.id).join(', ');
    log(`  ${String(count).padStart(3)}  ${r.journey.split(':')[0]} · ${r.type} (${r.scheme})${rules ? `: ${rules}` : ''}`);
  }
  const axeName = `axe-core: no violations on ${h.axeResults.length} page checks`;
  results.push({ name: axeName, ok: axeTotal === 0 && h.axeResults.length > 0 });
  log(`${axeTotal === 0 && h.axeResults.length > 0 ? 'ok' : 'not ok'} - ${axeName} (${axeTotal} found)`);

  // HTML validity: the HTML the server sent for each checkpointed page, in one java run.
  log('\n# Nu Html Checker (--errors-only) per page');
  let nuTotal = 0;
  const nuName = `Nu Html Checker: no errors in ${h.htmlFiles.length} pages`;
  try {
    const files = h.htmlFiles.map((f) => f.file);
    if (files.length === 0) throw new Error('no page was saved');
    const nu = nuCheck(files);
    nuTotal = nu.total;
    for (const [file, messages] of nu.byFile) {
      log(`  ${String(messages.length).padStart(3)}  ${path.relative(process.cwd(), file)}`);
      for (const m of messages) {
        log(`       line ${m.lastLine}:${m.firstColumn ?? m.lastColumn}: ${m.message}`);
        if (m.extract) log(`         ${m.extract.replace(/\s+/g, ' ').trim().slice(0, 160)}`);
      }
    }
    results.push({ name: nuName, ok: nuTotal === 0 });
    log(`${nuTotal === 0 ? 'ok' : 'not ok'} - ${nuName} (${nuTotal} found)`);
  } catch (error) {
    nuTotal = 'not counted';
    results.push({ name: nuName, ok: false });
    log(`not ok - ${nuName}\n${describe(error)}`);
  }

  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  log('\n# summary');
  log(`journeys run: ${journeys.map((j) => j.slug).join(', ')} (${journeys.length})`);
  for (const r of results) log(`  ${r.ok ? 'pass' : 'FAIL'}  ${r.name}`);
  log(`axe-core violations: ${axeTotal} on ${h.axeResults.length} page checks`);
  log(`Nu Html Checker errors: ${nuTotal} in ${h.htmlFiles.length} pages`);
  log(`screenshots: ${h.screenshots} in ${path.relative(process.cwd(), outDir) || '.'}`);
  log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((error) => {
  log(`not ok - the suite could not run\n${describe(error)}`);
  log('0 passed, 1 failed');
  process.exit(1);
});
