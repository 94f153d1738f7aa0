'use strict';
// The harness every journey runs in: Debian's Chromium through playwright-core, browser
// contexts, and `checkpoint`, which saves a page's HTML for the Nu Html Checker, runs axe-core
// on it in the light and the dark colour scheme, and (the first time a page type is seen) takes
// its screenshots at desktop and phone width.

const fs = require('node:fs');
const path = require('node:path');
const assert = require('node:assert/strict');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';
const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

class Harness {
  constructor({ outDir, servers }) {
    this.outDir = outDir;
    this.htmlDir = path.join(outDir, 'html');
    this.servers = servers; // { main: 'http://127.0.0.1:PORT', limited: ... }
    this.browser = null;
    this.axeResults = []; // { journey, type, url, scheme, violations }
    this.htmlFiles = []; // { file, journey, type, url }
    this.screenshotted = new Set();
    this.screenshots = 0;
    this.journey = '';
    this.journeySlug = '';
    this.contexts = [];
    this.twinContext = null;
  }

  async start() {
    fs.mkdirSync(this.htmlDir, { recursive: true });
    this.browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: LAUNCH_ARGS,
      timeout: 60_000,
    });
  }

  async stop() {
    if (this.twinContext) await this.twinContext.close().catch(() => {});
    if (this.browser) await this.browser.close();
  }

  /** Called by the runner before each journey. */
  beginJourney(name, slug) {
    this.journey = name;
    this.journeySlug = slug;
    this.contexts = [];
  }

  /** Closes whatever contexts a journey left open (also after a failure). */
  async endJourney() {
    for (const c of this.contexts) await c.close().catch(() => {});
    this.contexts = [];
  }

  /**
   * A fresh browser context: a new visitor, or the same person on another device. Its pages
   * are 1280 px wide in the light scheme; `bypassCSP` lets axe-core be injected despite the
   * forum's `script-src 'self'` (pass `{ bypassCSP: false }` to test under the real policy).
   */
  async newContext(options = {}) {
    const context = await this.browser.newContext({
      viewport: DESKTOP,
      colorScheme: 'light',
      bypassCSP: true,
      locale: 'en-GB',
      ...options,
    });
    context.e2eColorScheme = options.colorScheme || 'light';
    context.e2eJavaScript = options.javaScriptEnabled !== false;
    context.setDefaultTimeout(15_000);
    context.setDefaultNavigationTimeout(20_000);
    this.contexts.push(context);
    return context;
  }

  url(pathname, server = 'main') {
    return new URL(pathname, this.servers[server]).toString();
  }

  /**
   * Records one page type as the journey sees it. `response` is the page's own response
   * (its body is the HTML the server sent, which is what the Nu checker reads).
   */
  async checkpoint(page, type, response) {
    const slug = `${this.journeySlug}-${String(this.htmlFiles.length + 1).padStart(2, '0')}-${type}`;
    let html = null;
    if (response) {
      try {
        html = await response.text();
      } catch {
        html = null;
      }
    }
    if (html === null) html = await page.content();
    const file = path.join(this.htmlDir, `${slug}.html`);
    fs.writeFileSync(file, html);
    this.htmlFiles.push({ file, journey: this.journey, type, url: page.url() });

    await this.axe(page, type, html);

    if (!this.screenshotted.has(type)) {
      this.screenshotted.add(type);
      await this.screenshot(page, type);
    }
  }

  /**
   * axe-core, WCAG 2.0/2.1 A and AA, in the light then the dark colour scheme. axe needs
   * JavaScript: for a page in a context with JavaScript disabled, the same HTML is served to a
   * twin page (JavaScript on for axe only, the page's own scripts blocked) and checked there.
   */
  async axe(page, type, html) {
    let target = page;
    let twin = null;
    if (page.context().e2eJavaScript === false) {
      twin = await this.twinPage(page, html);
      target = twin;
    }
    try {
      const hasAxe = await target.evaluate(() => typeof window.axe !== 'undefined');
      if (!hasAxe) await target.addScriptTag({ path: require.resolve('axe-core') });
      for (const scheme of ['light', 'dark']) {
        await target.emulateMedia({ colorScheme: scheme });
        const result = await target.evaluate(
          (tags) =>
            window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
          AXE_TAGS,
        );
        const violations = result.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          helpUrl: v.helpUrl,
          nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html, summary: n.failureSummary })),
        }));
        this.axeResults.push({ journey: this.journey, type, url: page.url(), scheme, violations });
        const count = violations.reduce((sum, v) => sum + v.nodes.length, 0);
        log(`    axe ${type} (${scheme}${twin ? ', scripts off' : ''}): ${count} violation${count === 1 ? '' : 's'}`);
        for (const v of violations) {
          for (const n of v.nodes) log(`      ${v.id} [${v.impact}] ${n.target}: ${n.html.slice(0, 160)}`);
        }
      }
      await target.emulateMedia({ colorScheme: page.context().e2eColorScheme });
    } finally {
      if (twin) await twin.close();
    }
  }

  /** A page showing `html` at `page`'s address, with the site's CSS and none of its scripts. */
  async twinPage(page, html) {
    if (!this.twinContext) {
      this.twinContext = await this.browser.newContext({ viewport: DESKTOP, colorScheme: 'light', bypassCSP: true });
      this.twinContext.setDefaultTimeout(15_000);
    }
    const twin = await this.twinContext.newPage();
    const address = page.url().split('#')[0];
    await twin.route('**/*', (route) => {
      const request = route.request();
      if (request.isNavigationRequest() && request.url().split('#')[0] === address) {
        return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
      }
      if (request.resourceType() === 'script') return route.abort();
      return route.continue();
    });
    await twin.goto(page.url());
    return twin;
  }

  /** Four full-page screenshots: desktop and phone width, light and dark. */
  async screenshot(page, type) {
    for (const [device, size] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      await page.setViewportSize(size);
      for (const scheme of ['light', 'dark']) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.screenshot({
          path: path.join(this.outDir, `${type}-${device}-${scheme}.png`),
          fullPage: true,
          animations: 'disabled',
        });
        this.screenshots += 1;
      }
    }
    await page.setViewportSize(DESKTOP);
    await page.emulateMedia({ colorScheme: page.context().e2eColorScheme });
  }
}

/**
 * Runs `action` (a click, a form submission) and waits for the navigation it starts. Returns
 * the final response (after redirects); `.request().redirectedFrom()` has the POST, if any.
 */
async function navigation(page, action) {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
  assert.ok(response, 'the action led to a page');
  return response;
}

/** The status of the request that started a navigation (the POST of a form, before its 303). */
async function firstStatus(response) {
  let request = response.request();
  while (request.redirectedFrom()) request = request.redirectedFrom();
  const first = await request.response();
  return { method: request.method(), status: first.status() };
}

async function text(locator) {
  return (await locator.innerText()).replace(/\s+/g, ' ').trim();
}

function log(line) {
  process.stdout.write(`${line}\n`);
}

module.exports = { Harness, navigation, firstStatus, text, log, DESKTOP, PHONE };
