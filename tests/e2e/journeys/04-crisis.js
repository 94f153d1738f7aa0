'use strict';
// Journey 4: a member writes a post with a plan and a time (classified "imminent"). They land
// on the support page first (warm, not about rules), choose their region and see its numbers,
// then continue to their post, which is published and visible to a reader too. The moderator
// finds it at the top of the queue, crisis phrases marked, and marks "Support offered": the
// item leaves the queue and the public log says so.

const assert = require('node:assert/strict');
const { navigation, text } = require('../lib/harness');
const forum = require('../lib/forum');
const moderation = require('../lib/moderation');

async function run(h) {
  const tag = forum.unique();
  const board = { slug: 'depression', name: 'Depression' };
  const title = `I am so tired of everything ${tag}`;
  const body =
    'I have been saving up my pills for weeks and I am going to take them all tonight when everyone is asleep. ' +
    'I just wanted someone to know.';

  // The member posts.
  const member = await h.newContext();
  const page = await member.newPage();
  await forum.openBoardFromHome(h, page, board.name);
  await page.getByRole('link', { name: 'Start a new thread' }).click();
  await page.waitForURL(/\/b\/depression\/new$/);
  await page.locator('#title').fill(title);
  await page.locator('#body').fill(body);
  let response = await navigation(page, () => page.getByRole('button', { name: 'Post thread' }).click());
  await forum.expectRedirected(page, response, 'posting the thread');

  // The support page, before anything else.
  const supportPath = new URL(page.url()).pathname;
  const m = supportPath.match(/^\/p\/(\d+)\/support$/);
  assert.ok(m, `the writer lands on the support page: ${page.url()}`);
  const postId = Number(m[1]);
  await forum.expectHeading(page, 'Thank you for sharing this');
  await forum.expectTitle(page, 'Your post is up');
  const lead = await text(page.locator('main p.lead'));
  assert.match(lead, /^You're not in trouble\. Your post is up in /);
  assert.equal(await text(page.locator('main p.lead a')), title, 'the lead links to their thread');
  assert.ok(await page.locator('select#region').isVisible(), 'the region chooser is there');
  assert.equal(await page.locator('form.region-picker').getAttribute('method'), 'get');
  assert.equal(await page.locator('form.region-picker').getAttribute('action'), supportPath);
  assert.ok(await page.getByRole('heading', { name: 'Anywhere in the world' }).isVisible());
  const cont = page.getByRole('link', { name: 'Continue to your post' });
  assert.equal(await cont.getAttribute('href'), `/p/${postId}`);
  assert.ok(await forum.keyCookie(member), 'the post gave them an identity');
  await h.checkpoint(page, 'crisis-support', response);

  // Their region, and its numbers.
  await page.locator('select#region').selectOption('uk');
  response = await navigation(page, () => page.getByRole('button', { name: 'Show' }).click());
  assert.equal(response.status(), 200);
  assert.equal(new URL(page.url()).pathname, supportPath, 'the same page');
  assert.equal(new URL(page.url()).search, '?region=uk');
  await forum.expectHeading(page, 'Thank you for sharing this');
  const uk = page.locator('section#region-uk');
  assert.equal(await text(uk.getByRole('heading')), 'United Kingdom');
  assert.equal(await text(uk.locator('.emergency')), 'In immediate danger: call 999.');
  assert.match(await text(uk.locator('li', { hasText: 'Samaritans' })), /^Samaritans: .*116 123/);
  assert.equal(await page.getByRole('heading', { name: 'By country' }).count(), 0, 'only the chosen region');
  assert.equal(await page.locator('select#region').inputValue(), 'uk');
  await h.checkpoint(page, 'crisis-support-region', response);

  // On to the post: it is published.
  response = await navigation(page, () => page.getByRole('link', { name: 'Continue to your post' }).click());
  assert.equal(response.status(), 200);
  const where = forum.parseThreadUrl(page.url());
  assert.equal(where.postId, postId);
  await forum.expectHeading(page, title);
  const mine = page.locator(`article#p${postId}`);
  assert.equal(await text(mine.locator('.body')), body);
  assert.equal(await text(mine.locator('.you')), '(you)');
  assert.equal(await mine.locator('.notice').count(), 0, 'not held for a moderator');

  // A reader sees it too, in the thread and on the board.
  const reader = await h.newContext();
  const rp = await reader.newPage();
  response = await rp.goto(h.url(where.path));
  assert.equal(response.status(), 200);
  assert.equal(await text(rp.locator(`article#p${postId} .body`)), body);
  response = await rp.goto(h.url(`/b/${board.slug}`));
  assert.ok(await rp.locator('ol.threads a.title', { hasText: title }).isVisible(), 'listed on the board');

  // The moderator: first in the queue, crisis lane, phrases marked.
  const mod = await moderation.login(h);
  const mp = mod.page;
  const first = mp.locator('ol.queue > li article').first();
  assert.match(await text(first.locator('h2 .lane')), /^Crisis:/, 'a crisis item comes first');
  assert.equal(await text(first.locator('h2 .lane')), 'Crisis: imminent');
  assert.equal(await first.locator('h2 a').getAttribute('href'), `${where.path}#p${postId}`);
  assert.match(await first.getAttribute('class'), /\bcrisis\b/);
  const marked = await first.locator('blockquote.snapshot mark').allInnerTexts();
  assert.ok(marked.length > 0, 'the matched phrases are marked in the text');
  assert.ok(marked.some((t) => /saving up my pills/i.test(t)), `"saving up my pills" is marked: ${marked}`);
  assert.match(await text(first.locator('.reported p.meta', { hasText: 'Matched:' })), /^Matched: .*saving up my pills/);
  for (const label of ['Support offered', 'False alarm', 'Claim', 'Hide', 'Resolve']) {
    assert.ok(await first.getByRole('button', { name: label, exact: true }).isVisible(), `"${label}" is offered`);
  }
  assert.ok(await first.getByLabel('Reply as the moderation team').isVisible(), 'a team reply can be posted from here');
  await h.checkpoint(mp, 'mod-queue-crisis', mod.response);

  // The dashboard counts it.
  await mp.goto(h.url('/mod'));
  const open = mp.locator('dl.figures dt', { hasText: 'Crisis items open' }).locator('xpath=following-sibling::dd[1]');
  assert.match(await text(open), /^[1-9]\d*$/, 'the crisis item is counted as open');

  // Support offered: the item leaves the queue.
  await mp.goto(h.url('/mod/queue'));
  const item = moderation.queueItem(mp, postId);
  assert.equal(await item.count(), 1);
  await moderation.act(mp, item, 'Support offered');
  assert.equal(await moderation.queueItem(mp, postId).count(), 0, 'the item leaves the queue');

  // The public log says so.
  response = await rp.goto(h.url('/modlog'));
  const log = await moderation.modlogRows(rp);
  const row = log.rows.find((r) => r.action === 'support offered' && r.on === `post ${postId}`);
  assert.ok(row, `the log shows "support offered" on post ${postId}: ${JSON.stringify(log.rows)}`);
  assert.ok(!(await text(rp.locator('main'))).includes('pills'), "the post's text is not in the log");

  // The post stays up for its writer and readers.
  await rp.goto(h.url(where.path));
  assert.equal(await text(rp.locator(`article#p${postId} .body`)), body);
}

module.exports = {
  name: 'journey 4: a crisis post leads to help first, then to the queue and "Support offered"',
  slug: 'j4',
  needsModerator: true,
  run,
};
