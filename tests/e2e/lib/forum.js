'use strict';
// What a person does on the forum, as steps shared by the journeys. Each step asserts what the
// person then sees, and returns what later steps need.

const assert = require('node:assert/strict');
const { navigation, firstStatus, text } = require('./harness');

const SITE = 'Peer Support Forum';
const PHRASE = /^[0-9A-Z]{4}(-[0-9A-Z]{4}){5}$/i;

/** A unique suffix, so that journeys can run twice (with and without JavaScript) on one forum. */
let counter = 0;
function unique() {
  counter += 1;
  return `${Date.now().toString(36).slice(-4)}${counter}`;
}

/**
 * Asserts that a form's POST was answered with a 303 (post/redirect/get). Otherwise the message
 * says what the person saw instead.
 */
async function expectRedirected(page, response, what) {
  const first = await firstStatus(response);
  if (first.method !== 'POST' || first.status !== 303) {
    const seen = (await page.locator('main').innerText().catch(() => '')).replace(/\s+/g, ' ').trim();
    assert.fail(`${what}: expected POST answered 303, got ${first.method} ${first.status}; the page says: ${seen.slice(0, 300)}`);
  }
  assert.equal(response.status(), 200, `${what}: the page after the redirect`);
}

async function expectTitle(page, heading) {
  assert.equal(await page.title(), heading ? `${heading} · ${SITE}` : SITE);
}

async function expectHeading(page, heading) {
  const h1 = page.locator('main h1');
  assert.equal(await h1.count(), 1, 'one h1 on the page');
  assert.equal(await text(h1), heading);
  assert.ok(await h1.isVisible(), 'the heading is visible');
}

/** The thread id and post id in an address like /t/12/some-title?page=1#p34. */
function parseThreadUrl(url) {
  const u = new URL(url);
  const m = u.pathname.match(/^\/t\/(\d+)(?:\/[a-z0-9-]+)?$/);
  assert.ok(m, `a thread address: ${url}`);
  const post = u.hash.match(/^#p(\d+)$/);
  return { threadId: Number(m[1]), postId: post ? Number(post[1]) : null, path: u.pathname };
}

/** Opens a board from the home page's list of support groups. */
async function openBoardFromHome(h, page, name, server = 'main') {
  let response = await page.goto(h.url('/', server));
  assert.equal(response.status(), 200);
  const link = page.locator('ul.boards h3 a', { hasText: name });
  response = await navigation(page, () => link.click());
  assert.equal(response.status(), 200);
  await expectHeading(page, name);
  await expectTitle(page, name);
  return response;
}

/**
 * Starts a thread from a board page through "Start a new thread". Returns the thread's address
 * and the final response (the thread page after the 303).
 */
async function startThread(h, page, { board, title, warning = '', body, checkpoint = false }) {
  const link = page.getByRole('link', { name: 'Start a new thread' });
  assert.equal(await link.getAttribute('href'), `/b/${board}/new`);
  let response = await navigation(page, () => link.click());
  assert.equal(response.status(), 200);
  assert.equal(new URL(page.url()).pathname, `/b/${board}/new`);
  assert.match(await text(page.locator('main h1')), /^Start a thread in /);
  if (checkpoint) await h.checkpoint(page, 'new-thread', response);

  await page.locator('#title').fill(title);
  if (warning) await page.locator('#content_warning').fill(warning);
  await page.locator('#body').fill(body);
  response = await navigation(page, () => page.getByRole('button', { name: 'Post thread' }).click());
  await expectRedirected(page, response, 'posting a thread');
  const where = parseThreadUrl(page.url());
  await expectHeading(page, title);
  await expectTitle(page, title);
  return { ...where, response };
}

/**
 * Replies at the foot of the open thread page. Returns the new post's id, its article locator
 * and the final response.
 */
async function reply(page, { body, warning = '' }) {
  await page.locator('#body').fill(body);
  if (warning) {
    const details = page.locator('details.optional-cw');
    if (!(await details.evaluate((d) => d.open))) await details.locator('summary').click();
    await page.locator('#content_warning').fill(warning);
  }
  const response = await navigation(page, () => page.getByRole('button', { name: 'Post reply' }).click());
  await expectRedirected(page, response, 'posting a reply');
  const where = parseThreadUrl(page.url());
  assert.ok(where.postId, `the address names the new post: ${page.url()}`);
  const article = page.locator(`article#p${where.postId}`);
  assert.ok(await article.isVisible(), 'the new reply is on the page');
  return { ...where, article, response };
}

async function pseudonymOf(article) {
  const name = await text(article.locator('header .pseudonym'));
  assert.ok(name.length > 0, 'a post shows a pseudonym');
  return name;
}

/** The text of a post's body as a reader sees it (opening its content warning first if any). */
async function postBody(article) {
  const details = article.locator('details.cw-body');
  if ((await details.count()) > 0 && !(await details.evaluate((d) => d.open))) {
    await details.locator('summary').click();
  }
  return text(article.locator('.body'));
}

async function expectNoCookies(context, where) {
  assert.deepEqual(await context.cookies(), [], `no cookie ${where}`);
}

async function keyCookie(context) {
  const cookies = await context.cookies();
  return cookies.find((c) => c.name === 'forum_key');
}

module.exports = {
  expectRedirected,
  SITE,
  PHRASE,
  unique,
  expectTitle,
  expectHeading,
  parseThreadUrl,
  openBoardFromHome,
  startThread,
  reply,
  pseudonymOf,
  postBody,
  expectNoCookies,
  keyCookie,
};
