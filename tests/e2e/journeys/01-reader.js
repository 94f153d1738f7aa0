'use strict';
// Journey 1: a reader. Home, a support group, a thread (with a reply behind a content warning),
// help with their region, the about page, their (empty) identity page and an unknown address:
// all readable with no account, and no cookie is ever set.

const assert = require('node:assert/strict');
const { navigation, text } = require('../lib/harness');
const forum = require('../lib/forum');

async function run(h, options = {}) {
  const js = options.javaScriptEnabled !== false;
  const seed = h.seed;
  const context = await h.newContext(options);
  const page = await context.newPage();
  const setCookies = [];
  page.on('response', async (r) => {
    const value = await r.headerValue('set-cookie').catch(() => null);
    if (value) setCookies.push(`${r.url()}: ${value}`);
  });

  // Home: the support groups and the way to help.
  let response = await page.goto(h.url('/'));
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-security-policy'] || '', /script-src 'self'/, 'the CSP is sent');
  await forum.expectTitle(page, '');
  await forum.expectHeading(page, 'You are not alone');
  assert.ok(await page.getByRole('heading', { level: 2, name: 'Support groups' }).isVisible());
  const boards = page.locator('ul.boards > li');
  assert.ok((await boards.count()) >= 7, 'the starter support groups are listed');
  for (const name of ['Depression', 'Anxiety', 'Grief and loss', 'Self-harm recovery', 'Supporting someone']) {
    assert.ok(await page.locator('ul.boards h3 a', { hasText: name }).isVisible(), `${name} is listed`);
  }
  const anxiety = page.locator('ul.boards > li', { has: page.locator('h3 a', { hasText: 'Anxiety' }) });
  assert.match(await text(anxiety.locator('.meta')), /^\d+ threads?\b/, 'a group shows its thread count');
  const helpNow = page.locator('header.site a.help-now');
  assert.equal(await text(helpNow), 'Need help now?');
  assert.ok(await helpNow.isVisible(), 'help is one click away');
  await forum.expectNoCookies(context, 'on the home page');
  await h.checkpoint(page, 'home', response);

  // The skip link is the first thing the keyboard reaches, and it works without a script.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
  await page.keyboard.press('Enter');
  await page.waitForURL(/#main$/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main', 'focus moves to the content');

  // A support group.
  response = await navigation(page, () => page.locator('ul.boards h3 a', { hasText: seed.board.name }).click());
  assert.equal(response.status(), 200);
  assert.equal(new URL(page.url()).pathname, `/b/${seed.board.slug}`);
  await forum.expectHeading(page, seed.board.name);
  await forum.expectTitle(page, seed.board.name);
  assert.equal(
    await page.locator('nav[aria-label="Support groups"] a[aria-current="page"]').innerText(),
    seed.board.name,
    'the group is marked current in the navigation',
  );
  const start = page.getByRole('link', { name: 'Start a new thread' });
  assert.equal(await start.getAttribute('href'), `/b/${seed.board.slug}/new`);
  const threadLink = page.locator('ol.threads a.title', { hasText: seed.title });
  assert.ok(await threadLink.isVisible(), 'the thread is listed');
  const row = page.locator('ol.threads > li', { has: page.locator('a.title', { hasText: seed.title }) });
  assert.match(await text(row.locator('.meta')), /^1 reply · last active (just now|\d+ minutes? ago)$/);
  await forum.expectNoCookies(context, 'on a board');
  await h.checkpoint(page, 'board', response);

  // A thread.
  response = await navigation(page, () => threadLink.click());
  assert.equal(response.status(), 200);
  assert.equal(new URL(page.url()).pathname, seed.threadPath);
  await forum.expectHeading(page, seed.title);
  await forum.expectTitle(page, seed.title);
  assert.equal(await text(page.locator('nav.crumbs a')), seed.board.name);
  const posts = page.locator('article.post');
  assert.equal(await posts.count(), 2);
  const opening = posts.nth(0);
  assert.equal(await text(opening.locator('.op')), 'original poster');
  assert.equal(await text(opening.locator('.body')), seed.openingBody);
  const answer = page.locator(`article#p${seed.replyId}`);
  assert.notEqual(await forum.pseudonymOf(opening), await forum.pseudonymOf(answer), 'two members, two names');
  assert.equal(await answer.locator('.op').count(), 0);
  // The content warning comes first; the reader chooses to open it.
  const cw = answer.locator('details.cw-body');
  assert.equal(await text(cw.locator('summary')), `Content warning: ${seed.replyWarning} (select to read)`);
  assert.equal(await cw.evaluate((d) => d.open), false);
  assert.equal(await answer.locator('.body').isVisible(), false, 'the warned text is hidden at first');
  await h.checkpoint(page, 'thread', response);
  await cw.locator('summary').click();
  assert.ok(await answer.locator('.body').isVisible(), 'the warned text shows when chosen');
  assert.equal(await text(answer.locator('.body')), seed.replyBody);
  // A reader is nobody's "(you)" and can edit nothing.
  assert.equal(await page.locator('article.post .you').count(), 0);
  assert.equal(await page.locator('article.post footer a', { hasText: 'Edit' }).count(), 0);
  assert.ok(await page.getByRole('button', { name: 'Post reply' }).isVisible(), 'the reply form is there');
  await forum.expectNoCookies(context, 'on a thread');

  // Help, from the header, then for their region.
  response = await navigation(page, () => page.locator('header.site a.help-now').click());
  assert.equal(response.status(), 200);
  assert.equal(new URL(page.url()).pathname, '/help');
  await forum.expectHeading(page, 'Need help now?');
  assert.ok(await page.getByRole('heading', { name: 'Anywhere in the world' }).isVisible());
  assert.ok(await page.getByRole('heading', { name: 'By country' }).isVisible(), 'every region at first');
  await h.checkpoint(page, 'help', response);
  await page.locator('select#region').selectOption('uk');
  response = await navigation(page, () => page.getByRole('button', { name: 'Show' }).click());
  assert.equal(response.status(), 200);
  assert.equal(new URL(page.url()).search, '?region=uk');
  const uk = page.locator('section#region-uk');
  assert.equal(await text(uk.getByRole('heading')), 'United Kingdom');
  assert.equal(await text(uk.locator('.emergency')), 'In immediate danger: call 999.');
  assert.ok(await uk.getByText('Samaritans').isVisible());
  assert.equal(await page.getByRole('heading', { name: 'By country' }).count(), 0, 'only the chosen region');
  assert.equal(await page.locator('select#region').inputValue(), 'uk');
  await forum.expectNoCookies(context, 'on the help page');
  await h.checkpoint(page, 'help-region', response);

  // Privacy and rules, from the footer.
  response = await navigation(page, () => page.locator('footer.site a', { hasText: 'Privacy and rules' }).click());
  assert.equal(response.status(), 200);
  assert.equal(new URL(page.url()).pathname, '/about');
  await forum.expectHeading(page, 'Privacy and rules');
  assert.ok(await page.getByText('Reading needs no account and sets no cookie.').isVisible());
  await h.checkpoint(page, 'about', response);

  // Their identity page: they have none, and looking makes none.
  response = await navigation(page, () => page.locator('footer.site a', { hasText: 'Your anonymous identity' }).click());
  assert.equal(response.status(), 200);
  assert.equal(new URL(page.url()).pathname, '/me');
  await forum.expectHeading(page, 'Your anonymous identity');
  assert.ok(await page.getByText('You do not have an anonymous identity on this device.').isVisible());
  assert.equal(await page.locator('.phrase').count(), 0);
  assert.ok(await page.locator('input#phrase').isVisible(), 'the restore form is offered');
  await h.checkpoint(page, 'identity-none', response);

  // An unknown address and a thread that does not exist.
  response = await page.goto(h.url('/no/such/page'));
  assert.equal(response.status(), 404);
  await forum.expectHeading(page, 'Page not found');
  await forum.expectTitle(page, 'Page not found');
  assert.ok(await page.getByText('Error 404').isVisible());
  assert.ok(await page.getByRole('link', { name: 'Back to the support groups' }).isVisible());
  await h.checkpoint(page, 'not-found', response);
  response = await page.goto(h.url('/t/987654321'));
  assert.equal(response.status(), 404);
  await forum.expectHeading(page, 'Page not found');

  await forum.expectNoCookies(context, 'after the whole visit');
  assert.deepEqual(setCookies, [], 'no response tried to set a cookie');

  // Under the real Content-Security-Policy, help.js (the one script) may run and remember the
  // region in this browser only; without JavaScript the page simply shows every region.
  const strict = await h.newContext({ ...options, bypassCSP: false });
  const page2 = await strict.newPage();
  const blocked = [];
  page2.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) blocked.push(m.text());
  });
  await page2.goto(h.url('/help?region=ie'));
  await forum.expectHeading(page, 'Page not found'); // the first page is unchanged
  assert.equal(await text(page2.locator('section#region-ie').getByRole('heading')), 'Ireland');
  await page2.goto(h.url('/help'));
  if (js) {
    await page2.waitForURL(/\/help\?region=ie$/);
    assert.equal(await text(page2.locator('section#region-ie').getByRole('heading')), 'Ireland', 'the region is remembered');
  } else {
    assert.equal(new URL(page2.url()).search, '');
    assert.ok(await page2.getByRole('heading', { name: 'By country' }).isVisible());
  }
  assert.deepEqual(blocked, [], 'nothing is blocked by the CSP');
  await forum.expectNoCookies(strict, 'when the region is remembered');
}

module.exports = {
  name: 'journey 1: a reader browses with no cookie',
  slug: 'j1',
  needsSeed: true,
  run,
};
