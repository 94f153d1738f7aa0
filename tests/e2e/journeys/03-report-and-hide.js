'use strict';
// Journey 3: a reader reports a post; the moderator logs in, claims it, hides it; the reader no
// longer sees it; the public log shows the action (without the moderator's name, which only
// admins see). Also the moderators' dashboard and admin page. The thread is the journey's own.

const assert = require('node:assert/strict');
const { navigation, text } = require('../lib/harness');
const forum = require('../lib/forum');
const moderation = require('../lib/moderation');

async function run(h) {
  const tag = forum.unique();
  const board = { slug: 'supporting-someone', name: 'Supporting someone' };
  const title = `How do I help my sister after her diagnosis? ${tag}`;
  const unkind = `Nobody cares about your sister, stop whining and go away. ${tag}`;
  const note = 'This reply is mocking someone who asked for help.';

  // A member asks; another member answers unkindly.
  const asker = await h.newContext();
  const askerPage = await asker.newPage();
  await forum.openBoardFromHome(h, askerPage, board.name);
  const thread = await forum.startThread(h, askerPage, {
    board: board.slug,
    title,
    body: 'My sister was just diagnosed with bipolar disorder. How can I support her without smothering her?',
  });
  const rude = await h.newContext();
  const rudePage = await rude.newPage();
  await rudePage.goto(h.url(thread.path));
  const bad = await forum.reply(rudePage, { body: unkind });
  assert.equal(await bad.article.locator('footer').getByRole('link', { name: 'Report' }).count(), 0,
    'nobody is offered to report their own post');

  // A reader, with no identity, reports it.
  const reader = await h.newContext();
  const page = await reader.newPage();
  let response = await page.goto(h.url(thread.path));
  assert.equal(response.status(), 200);
  assert.equal(await text(page.locator(`article#p${bad.postId} .body`)), unkind);
  await moderation.report(h, page, bad.postId, { reason: 'Harassment or bullying', note, checkpoint: true });
  assert.equal(await text(page.locator('main p').first()), 'The moderators will look at it.');
  await forum.expectNoCookies(reader, 'after reporting');
  response = await navigation(page, () => page.getByRole('link', { name: 'Back to the thread' }).click());
  assert.equal(new URL(page.url()).pathname, thread.path);
  assert.ok(await page.locator(`article#p${bad.postId} .body`).isVisible(), 'one report does not hide a post');

  // The moderator logs in and finds it in the queue, unclaimed, with the reason and the note.
  const mod = await moderation.login(h, { checkpoint: true });
  const mp = mod.page;
  let { item, response: queueResponse } = await moderation.openQueueItem(h, mp, bad.postId);
  assert.equal(await text(item.locator('h2 .lane')), 'Review');
  assert.equal(await text(item.locator('h2 a')), title);
  assert.match(await text(item.locator('p.meta').first()), new RegExp(`^${board.name} · waiting .* · unclaimed$`));
  assert.equal(await text(item.locator('.reported .body')), unkind);
  assert.ok(await item.getByText('1 report: Harassment or bullying (1)').isVisible());
  assert.equal(await text(item.locator('ul.notes li')), note, "the reporter's note is shown");
  for (const label of ['Claim', 'Approve', 'Hide', 'Remove', 'Lock thread', 'Resolve']) {
    assert.ok(await item.getByRole('button', { name: label, exact: true }).isVisible(), `"${label}" is offered`);
  }
  assert.equal(await item.getByRole('button', { name: 'Support offered' }).count(), 0, 'not a crisis item');
  assert.equal(await text(item.locator('details:not(.context) > summary')), 'More actions');
  assert.match(await text(item.locator('details.context > summary')), /^The post before it, by /, 'the context is there');
  assert.equal(await item.getByRole('button', { name: 'Ban', exact: true }).isVisible(), false, 'banning is tucked away');
  await h.checkpoint(mp, 'mod-queue', queueResponse);

  // Claim, then hide.
  await moderation.act(mp, item, 'Claim');
  item = moderation.queueItem(mp, bad.postId);
  assert.match(await text(item.locator('p.meta').first()), new RegExp(` · claimed by ${h.moderator.name}$`));
  await moderation.act(mp, item, 'Hide');
  assert.equal(await moderation.queueItem(mp, bad.postId).count(), 0, 'the hidden post leaves the queue');

  // The reader no longer sees it.
  response = await page.reload();
  assert.equal(response.status(), 200);
  const hidden = page.locator(`article#p${bad.postId}`);
  assert.equal(await text(hidden.locator('.placeholder')), 'This post is hidden by the moderators.');
  assert.equal(await hidden.locator('.body').count(), 0);
  assert.ok(!(await text(page.locator('main'))).includes(unkind), 'its text is nowhere on the page');
  assert.equal(await hidden.getByRole('link', { name: 'Report' }).count(), 0);
  assert.equal(await text(page.locator('article.post').first().locator('.body')),
    'My sister was just diagnosed with bipolar disorder. How can I support her without smothering her?');
  // Its writer sees the same.
  await rudePage.reload();
  assert.equal(await text(rudePage.locator(`article#p${bad.postId} .placeholder`)),
    'This post is hidden by the moderators.');

  // The public log: the action and what it was on, no moderator's name.
  response = await page.goto(h.url('/modlog'));
  assert.equal(response.status(), 200);
  await forum.expectHeading(page, 'Moderation log');
  let log = await moderation.modlogRows(page);
  assert.deepEqual(log.headers, ['When', 'Action', 'On', 'Reason'], 'no moderator column for the public');
  const hideRow = log.rows.find((r) => r.action === 'hide' && r.on === `post ${bad.postId}`);
  assert.ok(hideRow, `the log shows "hide" on post ${bad.postId}: ${JSON.stringify(log.rows)}`);
  assert.equal(log.rows.indexOf(hideRow), 0, 'newest first');
  assert.ok(!(await text(page.locator('main'))).includes(h.moderator.name), "the moderator's name is not shown");
  assert.ok(!(await text(page.locator('main'))).includes(unkind), 'removed text is never shown');
  assert.equal(await page.locator('table.modlog').getByRole('link', { name: `post ${bad.postId}` }).getAttribute('href'),
    `/p/${bad.postId}`);
  await forum.expectNoCookies(reader, 'on the public log');
  await h.checkpoint(page, 'modlog', response);

  // An admin sees who did it.
  response = await navigation(mp, () => mp.locator('nav.mod-nav').getByRole('link', { name: 'Public log' }).click());
  log = await moderation.modlogRows(mp);
  assert.deepEqual(log.headers, ['When', 'Action', 'On', 'Reason', 'Moderator']);
  assert.equal(log.rows.find((r) => r.action === 'hide' && r.on === `post ${bad.postId}`).moderator, h.moderator.name);

  // The dashboard: the figures, and this week's actions per moderator.
  // (The log has no moderation navigation, even for a moderator: back through the address.)
  response = await mp.goto(h.url('/mod'));
  assert.equal(response.status(), 200);
  assert.equal(new URL(mp.url()).pathname, '/mod');
  await forum.expectHeading(mp, 'Moderation');
  const figures = mp.locator('dl.figures');
  for (const term of ['Crisis items open', '"Someone may be at risk" reports open', 'Other items open', 'Oldest waiting']) {
    assert.ok(await figures.locator('dt', { hasText: term }).isVisible(), `the dashboard shows "${term}"`);
  }
  assert.ok(await mp.getByRole('heading', { level: 2, name: 'Crisis lane' }).isVisible());
  const mine = mp.locator('table tr', { has: mp.locator('td', { hasText: h.moderator.name }) });
  assert.match(await text(mine.locator('td').nth(1)), /^[1-9]\d*$/, 'their actions this week are counted');
  await h.checkpoint(mp, 'mod-dashboard', response);

  // The admin page: the moderators, boards, supporters and word rules.
  response = await navigation(mp, () => mp.locator('nav.mod-nav').getByRole('link', { name: 'Admin' }).click());
  assert.equal(response.status(), 200);
  assert.equal(new URL(mp.url()).pathname, '/mod/admin');
  await forum.expectHeading(mp, 'Admin');
  for (const heading of ['Moderators', 'Boards', 'Peer supporters', 'Word rules']) {
    assert.ok(await mp.getByRole('heading', { level: 2, name: heading }).isVisible(), `"${heading}" section`);
  }
  const me = mp.locator('table tr', { has: mp.locator('td', { hasText: h.moderator.name }) }).first();
  assert.equal(await text(me.locator('td').nth(1)), 'admin');
  assert.equal(await text(me.locator('td').nth(2)), 'active');
  assert.equal(await me.getByRole('button').count(), 0, 'an admin cannot disable themself');
  assert.ok(await mp.getByRole('heading', { level: 3, name: 'Make a member a peer supporter' }).isVisible());
  await h.checkpoint(mp, 'mod-admin', response);

  // A reader cannot open the moderators' pages.
  response = await page.goto(h.url('/mod/admin'));
  assert.equal(new URL(page.url()).pathname, '/mod/login', 'the admin page sends a visitor to log in');
}

module.exports = {
  name: 'journey 3: a reader reports a post, a moderator claims and hides it, the log shows it',
  slug: 'j3',
  needsModerator: true,
  run,
};
