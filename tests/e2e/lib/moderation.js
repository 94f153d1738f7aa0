'use strict';
// What a moderator and a reporting reader do, as steps shared by the moderation journeys. Each
// step asserts what the person then sees.

const assert = require('node:assert/strict');
const { navigation, text } = require('./harness');
const forum = require('./forum');

/**
 * A moderator logs in at /mod/login, in a fresh context, and lands on the queue. With
 * `checkpoint`, the log-in page (and, after a wrong password, its error) are checkpointed.
 */
async function login(h, { checkpoint = false } = {}) {
  const { name, password } = h.moderator;
  const context = await h.newContext();
  const page = await context.newPage();

  let response = await page.goto(h.url('/mod/queue'));
  assert.equal(new URL(page.url()).pathname, '/mod/login', 'the queue sends a visitor to log in');
  assert.equal(response.status(), 200);
  await forum.expectHeading(page, 'Moderator log-in');
  await forum.expectTitle(page, 'Moderator log-in');
  assert.equal(response.headers()['cache-control'], 'no-store', 'moderators’ pages are not cached');
  if (checkpoint) await h.checkpoint(page, 'mod-login', response);

  if (checkpoint) {
    // A wrong password: refused, the name kept, nothing said about which part was wrong.
    await page.locator('#name').fill(name);
    await page.locator('#password').fill(`${password} but wrong`);
    response = await navigation(page, () => page.getByRole('button', { name: 'Log in' }).click());
    assert.equal(response.status(), 401);
    assert.equal(
      await text(page.locator('.error-summary')),
      'That name and password do not match an active moderator.',
    );
    assert.equal(await page.locator('#name').inputValue(), name, 'the name is kept');
    assert.equal(await page.locator('#password').inputValue(), '', 'the password is not sent back');
    assert.equal((await context.cookies()).filter((c) => c.name === 'forum_mod').length, 0, 'no session');
    await h.checkpoint(page, 'mod-login-error', response);
  }

  await page.locator('#name').fill(name);
  await page.locator('#password').fill(password);
  response = await navigation(page, () => page.getByRole('button', { name: 'Log in' }).click());
  await forum.expectRedirected(page, response, 'logging in');
  assert.equal(new URL(page.url()).pathname, '/mod/queue');
  await forum.expectHeading(page, 'Moderation queue');
  const session = (await context.cookies()).find((c) => c.name === 'forum_mod');
  assert.ok(session, 'a moderator session cookie is set');
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Strict');
  assert.equal(
    await text(page.locator('nav.mod-nav button')),
    `Log out ${name}`,
    'the moderation navigation names who is logged in',
  );
  return { context, page, response };
}

/** The queue item (its `article`) for a post, on the open queue page. */
function queueItem(page, postId) {
  return page.locator('ol.queue > li article', { has: page.locator(`h2 a[href$="#p${postId}"]`) });
}

/** Opens the queue and returns the post's item, asserting it is there. */
async function openQueueItem(h, page, postId) {
  const response = await page.goto(h.url('/mod/queue'));
  assert.equal(response.status(), 200);
  await forum.expectHeading(page, 'Moderation queue');
  const item = queueItem(page, postId);
  assert.equal(await item.count(), 1, `post ${postId} is in the queue`);
  return { item, response };
}

/** Clicks one of an item's buttons; the queue comes back (post/redirect/get). */
async function act(page, item, label) {
  const response = await navigation(page, () => item.getByRole('button', { name: label, exact: true }).click());
  await forum.expectRedirected(page, response, `"${label}" on a queue item`);
  assert.equal(new URL(page.url()).pathname, '/mod/queue');
  return response;
}

/**
 * A reader reports a post from its thread page: the "Report" link in its footer, a reason, an
 * optional note. Returns the thank-you page's response.
 */
async function report(h, page, postId, { reason, note = '', checkpoint = false }) {
  const article = page.locator(`article#p${postId}`);
  const link = article.locator('footer').getByRole('link', { name: 'Report' });
  assert.equal(await link.getAttribute('href'), `/p/${postId}/report`);
  let response = await navigation(page, () => link.click());
  assert.equal(response.status(), 200);
  assert.equal(new URL(page.url()).pathname, `/p/${postId}/report`);
  await forum.expectHeading(page, 'Report a post');
  await forum.expectTitle(page, 'Report a post');
  assert.equal(await text(page.locator('main fieldset legend')), 'What is the problem?');
  const labels = await page.locator('main fieldset .choice label').allInnerTexts();
  assert.deepEqual(labels.map((l) => l.trim()), [
    'Someone may be at risk',
    'Harassment or bullying',
    'Spam',
    'Graphic self-harm content',
    'Misinformation',
    'Something else',
  ]);
  assert.ok(await page.getByText('Nobody, not even the moderators, will see who reported it.').isVisible());
  if (checkpoint) await h.checkpoint(page, 'report', response);

  await page.getByLabel(reason, { exact: true }).check();
  if (note) await page.locator('#note').fill(note);
  response = await navigation(page, () => page.getByRole('button', { name: 'Send report' }).click());
  assert.equal(response.status(), 200);
  assert.equal(response.request().method(), 'POST');
  await forum.expectHeading(page, 'Thank you for telling us');
  await forum.expectTitle(page, 'Thank you');
  assert.ok(await page.getByRole('link', { name: 'Back to the thread' }).isVisible());
  if (checkpoint) await h.checkpoint(page, 'report-sent', response);
  return response;
}

/** The rows of the public log, as { action, on, reason, moderator? } in page order. */
async function modlogRows(page) {
  const headers = (await page.locator('table.modlog thead th').allInnerTexts()).map((t) => t.trim());
  const rows = [];
  for (const row of await page.locator('table.modlog tbody tr').all()) {
    const cells = (await row.locator('td').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    const entry = {};
    headers.forEach((name, i) => {
      entry[name.toLowerCase()] = cells[i];
    });
    rows.push(entry);
  }
  return { headers, rows };
}

module.exports = { login, queueItem, openQueueItem, act, report, modlogRows };
