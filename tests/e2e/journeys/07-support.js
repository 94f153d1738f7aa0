'use strict';
// Journey 7: one-on-one support. A member shows an admin the supporter code from their identity
// page; the admin grants the peer-supporter role at /mod/admin; the supporter sets themself
// available; another member asks at /support; the supporter accepts; the two exchange messages
// at /c/{id}; nobody else (a stranger, another member, the admin) can open that conversation.

const assert = require('node:assert/strict');
const { navigation, text } = require('../lib/harness');
const forum = require('../lib/forum');
const moderation = require('../lib/moderation');

async function run(h) {
  const tag = forum.unique();
  const supporterName = `Robin ${tag}`.slice(0, 40);
  const topic = `Feeling lonely since I moved city ${tag}`;
  const note = 'I moved for work three months ago and I do not know anyone here yet.';
  const preferences = 'Someone who has moved away from home';

  // The supporter-to-be has an identity (from a post) and reads their code on /me.
  const sup = await h.newContext();
  const sp = await sup.newPage();
  await forum.openBoardFromHome(h, sp, 'Supporting someone');
  await forum.startThread(h, sp, {
    board: 'supporting-someone',
    title: `Finished the peer supporter training today ${tag}`,
    body: 'Happy to listen if anyone wants to talk.',
  });
  let response = await sp.goto(h.url('/me'));
  const code = await text(sp.locator('.meta code'));
  assert.match(code, /^S\d+-[0-9a-f]{8}$/, `a supporter code: ${code}`);
  response = await sp.goto(h.url('/supporters'));
  assert.equal(response.status(), 404, 'the supporters’ page is only for supporters');

  // The admin grants the role; a wrong code is refused first.
  const mod = await moderation.login(h);
  const mp = mod.page;
  await mp.goto(h.url('/mod/admin'));
  const grant = mp.locator('form', { has: mp.getByRole('heading', { name: 'Make a member a peer supporter' }) });
  await grant.getByLabel('Their supporter code').fill(code.replace(/.$/, (c) => (c === '0' ? '1' : '0')));
  response = await navigation(mp, () => grant.getByRole('button', { name: 'Grant the role' }).click());
  assert.equal(response.status(), 422);
  assert.equal(await text(mp.locator('.error-summary')), 'That is not a valid supporter code.');
  await h.checkpoint(mp, 'mod-admin-error', response);
  await grant.getByLabel('Their supporter code').fill(code);
  await grant.getByLabel(/^Public supporter name/).fill(supporterName);
  response = await navigation(mp, () => grant.getByRole('button', { name: 'Grant the role' }).click());
  await forum.expectRedirected(mp, response, 'granting the role');
  assert.equal(new URL(mp.url()).pathname, '/mod/admin');
  const row = mp.locator('table tr', { has: mp.locator('td code', { hasText: code }) });
  assert.equal(await text(row.locator('td').nth(1)), supporterName);
  assert.equal(await text(row.locator('td').nth(2)), 'away');

  // The supporter sets themself available.
  response = await sp.goto(h.url('/supporters'));
  assert.equal(response.status(), 200);
  await forum.expectHeading(sp, 'Peer supporters');
  assert.match(await text(sp.locator('main form.inline p')), /^You are away\./);
  response = await navigation(sp, () => sp.getByRole('button', { name: 'Set me available' }).click());
  await forum.expectRedirected(sp, response, 'setting themself available');
  assert.match(await text(sp.locator('main form.inline p')), /^You are available\./);
  assert.ok(await sp.getByRole('button', { name: 'Set me away' }).isVisible());
  assert.equal(await sp.locator('#public_name').inputValue(), supporterName);

  // A member asks.
  const member = await h.newContext();
  const page = await member.newPage();
  response = await page.goto(h.url('/support'));
  assert.equal(response.status(), 200);
  await forum.expectHeading(page, 'Talk one-on-one with a peer supporter');
  await forum.expectTitle(page, 'Talk one-on-one');
  assert.match(await text(page.locator('main')), /\b[1-9]\d* supporters? (is|are) available now\b/);
  assert.ok(await page.locator('main').getByRole('link', { name: 'crisis lines are there 24/7' }).isVisible());
  await forum.expectNoCookies(member, 'before asking');
  await h.checkpoint(page, 'support', response);
  await page.locator('#topic').fill(topic);
  await page.locator('#note').fill(note);
  await page.locator('#preferences').fill(preferences);
  response = await navigation(page, () => page.getByRole('button', { name: 'Ask for a supporter' }).click());
  await forum.expectRedirected(page, response, 'asking for a supporter');
  assert.equal(new URL(page.url()).pathname, '/support');
  assert.ok(await forum.keyCookie(member), 'asking gave them an identity');
  const request = page.locator('ul.my-posts li', { hasText: topic });
  assert.match(await text(request), / · waiting for a supporter$/);
  await h.checkpoint(page, 'support-asked', response);

  // The supporter sees the request and accepts it.
  response = await sp.reload();
  const waiting = sp.locator('ol.queue > li article', { has: sp.locator('h3', { hasText: topic }) });
  assert.equal(await waiting.count(), 1, 'the request is waiting');
  assert.ok(await waiting.getByText(note).isVisible());
  assert.equal(await text(waiting.locator('p.meta', { hasText: 'Preferences' })), `Preferences: ${preferences}`);
  await h.checkpoint(sp, 'supporters', response);
  response = await navigation(sp, () => waiting.getByRole('button', { name: 'Accept' }).click());
  await forum.expectRedirected(sp, response, 'accepting the request');
  const m = new URL(sp.url()).pathname.match(/^\/c\/(\d+)$/);
  assert.ok(m, `the supporter is in the conversation: ${sp.url()}`);
  const conversationPath = m[0];
  await forum.expectHeading(sp, topic);
  assert.equal(await text(sp.locator('main > p.meta')), 'A private conversation between you and a member.');
  assert.equal(response.headers()['cache-control'], 'no-store');

  // They talk.
  const hello = `Hi, I'm ${supporterName}. Moving somewhere new can be really isolating. How have the evenings been?`;
  await sp.locator('#body').fill(hello);
  response = await navigation(sp, () => sp.getByRole('button', { name: 'Send' }).click());
  await forum.expectRedirected(sp, response, 'the supporter sends a message');
  assert.equal(new URL(sp.url()).pathname, conversationPath);
  let last = sp.locator('article.post').last();
  assert.equal(await text(last.locator('.pseudonym')), 'You');
  assert.equal(await text(last.locator('.team')), 'Peer supporter');
  assert.equal(await text(last.locator('.body')), hello);

  response = await page.goto(h.url('/support'));
  const listed = page.locator('ul.my-posts li', { has: page.locator(`a[href="${conversationPath}"]`) });
  assert.match(await text(listed), new RegExp(`^${topic} · started .* · 1 new$`), 'the member sees a new message');
  assert.match(await text(page.locator('ul.my-posts li', { hasText: topic }).first()), /a supporter accepted|1 new/);
  response = await navigation(page, () => listed.getByRole('link', { name: topic }).click());
  assert.equal(response.status(), 200);
  await forum.expectHeading(page, topic);
  assert.equal(await text(page.locator('main > p.meta')),
    `A private conversation between you and a peer supporter, ${supporterName}.`);
  const theirs = page.locator('article.post').last();
  assert.equal(await text(theirs.locator('.pseudonym')), supporterName);
  assert.equal(await text(theirs.locator('.team')), 'Peer supporter');
  assert.equal(await text(theirs.locator('.body')), hello);
  const answer = 'Quiet, mostly. I cook and then watch something alone. It helps to say it out loud.';
  await page.locator('#body').fill(answer);
  response = await navigation(page, () => page.getByRole('button', { name: 'Send' }).click());
  await forum.expectRedirected(page, response, 'the member answers');
  last = page.locator('article.post').last();
  assert.equal(await text(last.locator('.pseudonym')), 'You');
  assert.equal(await text(last.locator('.body')), answer);
  assert.ok(await page.getByRole('button', { name: 'Delete this conversation for good' }).isVisible());
  await h.checkpoint(page, 'conversation', response);

  await sp.reload();
  last = sp.locator('article.post').last();
  assert.equal(await text(last.locator('.pseudonym')), 'Member');
  assert.equal(await text(last.locator('.body')), answer);
  assert.equal(await sp.getByRole('button', { name: 'Delete this conversation for good' }).count(), 0,
    'only the member can delete it');

  // Nobody else can open it: a stranger, another member, the admin.
  const stranger = await h.newContext();
  const xp = await stranger.newPage();
  response = await xp.goto(h.url(conversationPath));
  assert.equal(response.status(), 404, 'a stranger gets 404');
  await forum.expectHeading(xp, 'Page not found');
  assert.ok(!(await text(xp.locator('main'))).includes(topic));
  await forum.openBoardFromHome(h, xp, 'Supporting someone');
  await forum.startThread(h, xp, {
    board: 'supporting-someone',
    title: `Does anyone else talk to their plants? ${tag}`,
    body: 'It started as a joke but now I say good morning to them every day.',
  });
  response = await xp.goto(h.url(conversationPath));
  assert.equal(response.status(), 404, 'another member gets 404');
  response = await mp.goto(h.url(conversationPath));
  assert.equal(response.status(), 404, 'a moderator gets 404 too (unless it is reported)');
}

module.exports = {
  name: 'journey 7: one-on-one support between a member and a peer supporter, private to them',
  slug: 'j7',
  needsModerator: true,
  run,
};
