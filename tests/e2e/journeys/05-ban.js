'use strict';
// Journey 5: a banned member sees the ban page. A member posts; a reader reports it as spam; the
// moderator bans the writer from the queue ("More actions") for one day with a reason; the
// member tries to reply, and to start a thread, and gets a 403 page that shows the reason and
// until when. They can still read. (The rate-limit half of journey 5 is journeys/rate-limit.js.)

const assert = require('node:assert/strict');
const { navigation, firstStatus, text } = require('../lib/harness');
const forum = require('../lib/forum');
const moderation = require('../lib/moderation');

async function run(h) {
  const tag = forum.unique();
  const board = { slug: 'anxiety', name: 'Anxiety' };
  const title = `Cheap calming pills, message me for prices ${tag}`;
  const body = 'Best calming pills online, no prescription needed. Message me for prices and discount codes.';
  const reason = 'Selling medication is not allowed here.';

  // The member posts.
  const member = await h.newContext();
  const page = await member.newPage();
  await forum.openBoardFromHome(h, page, board.name);
  const thread = await forum.startThread(h, page, { board: board.slug, title, body });
  const postId = Number(await page.locator('article.post').first().getAttribute('id').then((id) => id.slice(1)));

  // A reader reports it.
  const reader = await h.newContext();
  const rp = await reader.newPage();
  await rp.goto(h.url(thread.path));
  await moderation.report(h, rp, postId, { reason: 'Spam' });

  // The moderator bans the writer for a day, from the queue.
  const mod = await moderation.login(h);
  const mp = mod.page;
  const { item } = await moderation.openQueueItem(h, mp, postId);
  assert.ok(await item.getByText('1 report: Spam (1)').isVisible());
  const more = item.locator('details:not(.context)');
  await more.locator('> summary').click();
  const length = more.getByLabel('Ban the writer for');
  assert.deepEqual(
    (await length.locator('option').allInnerTexts()).map((t) => t.trim()),
    ['1 day', '3 days', '1 week', '30 days', 'Permanently'],
  );
  await length.selectOption({ label: '1 day' });
  await more.getByLabel('Reason (the member sees it)').fill(reason);
  const before = Date.now();
  await moderation.act(mp, item, 'Ban');
  // The ban leaves the post in the queue (a separate decision): resolve it.
  const still = moderation.queueItem(mp, postId);
  assert.equal(await still.count(), 1, 'the item stays until it is resolved');
  assert.match(await text(still.locator('p.meta', { hasText: "Writer's history" })), / 1 bans?$/);
  await moderation.act(mp, still, 'Resolve');
  assert.equal(await moderation.queueItem(mp, postId).count(), 0);

  // The member tries to reply: refused with the reason and until when.
  await page.reload();
  const replyText = `Still selling, ask me anything. ${tag}`;
  await page.locator('#body').fill(replyText);
  let response = await navigation(page, () => page.getByRole('button', { name: 'Post reply' }).click());
  let first = await firstStatus(response);
  assert.equal(first.method, 'POST');
  assert.equal(first.status, 403, 'the reply is refused');
  assert.equal(response.status(), 403);
  await forum.expectHeading(page, 'Not allowed');
  await forum.expectTitle(page, 'Not allowed');
  const said = await text(page.locator('main'));
  const until = said.match(/You cannot post until (\d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2}) \(UTC\)\./);
  assert.ok(until, `the page says until when: ${said}`);
  const expires = Date.parse(`${until[1].replace(',', '')} UTC`);
  const day = 24 * 3600 * 1000;
  assert.ok(Math.abs(expires - (before + day)) < 5 * 60 * 1000, `one day from now: ${until[1]}`);
  assert.ok(said.includes(`The moderators gave this reason: ${reason}`), `the reason is shown: ${said}`);
  assert.ok(said.includes('You can still read, and the help page is always open to you.'));
  assert.ok(await page.getByText('Error 403').isVisible());
  assert.ok(await page.locator('main').getByRole('link', { name: 'Need help now?' }).isVisible(), 'help stays one click away');
  await h.checkpoint(page, 'banned', response);

  // Nothing was posted; they can still read; a new thread is refused too.
  await page.goBack();
  assert.equal(await page.locator('#body').inputValue(), replyText, 'what they wrote is still in the form');
  response = await page.goto(h.url(thread.path));
  assert.equal(response.status(), 200, 'they can still read');
  assert.equal(await page.locator('article.post').count(), 1, 'the refused reply was not posted');
  await page.goto(h.url(`/b/${board.slug}/new`));
  await page.locator('#title').fill(`A new thread ${tag}`);
  await page.locator('#body').fill('Trying again in a new thread.');
  response = await navigation(page, () => page.getByRole('button', { name: 'Post thread' }).click());
  first = await firstStatus(response);
  assert.equal(first.status, 403, 'a new thread is refused');
  assert.match(await text(page.locator('main')), /You cannot post until .* The moderators gave this reason: /);

  // The public log shows the ban, its length and its reason.
  response = await rp.goto(h.url('/modlog'));
  const log = await moderation.modlogRows(rp);
  const row = log.rows.find((r) => r.action === 'ban' && r.on === `post ${postId}`);
  assert.ok(row, `the log shows the ban: ${JSON.stringify(log.rows)}`);
  assert.ok(row.reason.includes(reason), `with its reason: ${row.reason}`);
  assert.match(row.reason, /1 day/);
}

module.exports = {
  name: 'journey 5: a moderator bans a member, who sees why and until when (403)',
  slug: 'j5',
  needsModerator: true,
  run,
};
