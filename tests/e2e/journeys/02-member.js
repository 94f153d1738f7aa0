'use strict';
// Journey 2: a member. Starts a thread behind a content warning (after a refused first try),
// replies in another thread, sees their own pseudonym, edits and deletes a post, reads their
// identity page, then restores the identity on "another device" (a second browser context) from
// the recovery phrase and replies in the same thread under the same pseudonym.

const assert = require('node:assert/strict');
const { navigation, text } = require('../lib/harness');
const forum = require('../lib/forum');

async function run(h, options = {}) {
  const seed = h.seed;
  const tag = forum.unique();
  const mine = {
    board: { slug: 'depression', name: 'Depression' },
    title: `Mornings are the hardest part ${tag}`,
    warning: 'low mood, hopelessness',
    body: 'Most mornings I cannot find a reason to get up. Does anyone else feel this way?',
  };

  const context = await h.newContext(options);
  const page = await context.newPage();

  // The board, and a first try with a blank title: refused with the words kept.
  await forum.openBoardFromHome(h, page, mine.board.name);
  await forum.expectNoCookies(context, 'before posting');
  let response = await navigation(page, () => page.getByRole('link', { name: 'Start a new thread' }).click());
  assert.equal(response.status(), 200);
  await forum.expectHeading(page, `Start a thread in ${mine.board.name}`);
  await forum.expectTitle(page, `New thread in ${mine.board.name}`);
  await h.checkpoint(page, 'new-thread', response);
  await page.locator('#title').fill('   ');
  await page.locator('#content_warning').fill(mine.warning);
  await page.locator('#body').fill(mine.body);
  response = await navigation(page, () => page.getByRole('button', { name: 'Post thread' }).click());
  assert.equal(response.status(), 422);
  assert.equal(response.request().method(), 'POST');
  assert.match(await text(page.locator('.error-summary')), /^Please check the form: nothing was posted yet/);
  assert.equal(await text(page.locator('#title-error')), 'The title is empty.');
  assert.equal(await page.locator('#title').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#title').getAttribute('aria-describedby'), 'title-error');
  assert.equal(await page.locator('#body').inputValue(), mine.body, 'the message is kept');
  assert.equal(await page.locator('#content_warning').inputValue(), mine.warning, 'the warning is kept');
  await forum.expectNoCookies(context, 'after a refused form');
  await h.checkpoint(page, 'new-thread-errors', response);

  // Now with a title: the thread, behind its content warning.
  await page.locator('#title').fill(mine.title);
  response = await navigation(page, () => page.getByRole('button', { name: 'Post thread' }).click());
  await forum.expectRedirected(page, response, 'posting the thread');
  const thread = forum.parseThreadUrl(page.url());
  assert.match(thread.path, /^\/t\/\d+\/mornings-are-the-hardest-part-/);
  await forum.expectHeading(page, mine.title);
  await forum.expectTitle(page, mine.title);
  assert.equal(await text(page.locator('main > p.meta .cw')), `CW: ${mine.warning}`);
  const key = await forum.keyCookie(context);
  assert.ok(key, 'the first post sets the identity cookie');
  assert.equal(key.httpOnly, true);
  assert.equal(key.sameSite, 'Lax');
  assert.equal((await context.cookies()).length, 1, 'only the identity cookie');
  const opening = page.locator('article.post').first();
  const myName = await forum.pseudonymOf(opening);
  assert.equal(await text(opening.locator('.op')), 'original poster');
  assert.equal(await text(opening.locator('.you')), '(you)');
  const cw = opening.locator('details.cw-body');
  assert.equal(await text(cw.locator('summary')), `Content warning: ${mine.warning} (select to read)`);
  assert.equal(await opening.locator('.body').isVisible(), false, 'the post is behind its warning');
  await cw.locator('summary').click();
  assert.equal(await text(opening.locator('.body')), mine.body);
  assert.ok(await opening.getByRole('link', { name: 'Edit' }).isVisible(), 'their own post can be edited');
  assert.ok(await opening.getByRole('link', { name: 'Delete' }).isVisible(), 'and deleted');
  await h.checkpoint(page, 'thread-own', response);

  // The board lists it with its warning.
  response = await navigation(page, () => page.locator('nav.crumbs a').click());
  const row = page.locator('ol.threads > li', { has: page.locator('a.title', { hasText: mine.title }) });
  assert.equal(await text(row.locator('.cw')), `CW: ${mine.warning}`);

  // A reply in another thread: a different name there, marked as theirs.
  response = await page.goto(h.url(seed.other.threadPath));
  assert.equal(response.status(), 200);
  const replyText = `Eight months is still so recent. Walking every morning helped me. ${tag}`;
  const first = await forum.reply(page, { body: replyText });
  assert.equal(first.threadId, seed.other.threadId);
  const nameThere = await forum.pseudonymOf(first.article);
  assert.notEqual(nameThere, myName, 'a different pseudonym in every thread');
  assert.equal(await text(first.article.locator('.you')), '(you)');
  assert.equal(await first.article.locator('.op').count(), 0);
  assert.equal(await text(first.article.locator('.body')), replyText);

  // Edit that reply.
  response = await navigation(page, () => first.article.getByRole('link', { name: 'Edit' }).click());
  assert.equal(response.status(), 200);
  assert.equal(new URL(page.url()).pathname, `/p/${first.postId}/edit`);
  await forum.expectHeading(page, 'Edit your post');
  assert.equal(await page.locator('#body').inputValue(), replyText, 'the form holds the post');
  await h.checkpoint(page, 'edit', response);
  const edited = `${replyText} Edited: and writing to him in a notebook.`;
  await page.locator('#body').fill(edited);
  response = await navigation(page, () => page.getByRole('button', { name: 'Save changes' }).click());
  await forum.expectRedirected(page, response, 'saving the edit');
  let where = forum.parseThreadUrl(page.url());
  assert.equal(where.threadId, seed.other.threadId);
  assert.equal(where.postId, first.postId, 'back at the edited post');
  const editedArticle = page.locator(`article#p${first.postId}`);
  assert.equal(await text(editedArticle.locator('.body')), edited);
  assert.equal(await text(editedArticle.locator('.edited')), 'edited');
  assert.equal(await forum.pseudonymOf(editedArticle), nameThere);

  // A second reply, deleted for good.
  const second = await forum.reply(page, { body: `I wrote too much just now, sorry. ${tag}` });
  assert.equal(await forum.pseudonymOf(second.article), nameThere, 'the same name within a thread');
  response = await navigation(page, () => second.article.getByRole('link', { name: 'Delete' }).click());
  assert.equal(response.status(), 200);
  assert.equal(new URL(page.url()).pathname, `/p/${second.postId}/delete`);
  await forum.expectHeading(page, 'Delete your post?');
  await forum.expectTitle(page, 'Delete your post');
  await h.checkpoint(page, 'delete', response);
  response = await navigation(page, () => page.getByRole('button', { name: 'Delete for good' }).click());
  await forum.expectRedirected(page, response, 'deleting the post');
  where = forum.parseThreadUrl(page.url());
  assert.equal(where.postId, second.postId);
  const deleted = page.locator(`article#p${second.postId}`);
  assert.equal(await text(deleted.locator('.placeholder')), 'This post was deleted by its writer.');
  assert.equal(await deleted.locator('.body').count(), 0, 'the text is gone');
  assert.equal(await deleted.getByRole('link', { name: 'Edit' }).count(), 0);
  assert.ok(await page.locator(`article#p${first.postId}`).isVisible(), 'the other reply stays');

  // Their identity page: the recovery phrase and their posts.
  response = await navigation(page, () => page.locator('footer.site a', { hasText: 'Your anonymous identity' }).click());
  assert.equal(response.status(), 200);
  assert.equal(response.headers()['cache-control'], 'no-store');
  await forum.expectHeading(page, 'Your anonymous identity');
  const phrase = await text(page.locator('.phrase code'));
  assert.match(phrase, forum.PHRASE);
  const myPosts = page.locator('ul.my-posts > li');
  assert.ok(await myPosts.filter({ hasText: mine.title }).first().isVisible(), 'their thread is listed');
  assert.ok(
    await myPosts.filter({ hasText: seed.other.title }).filter({ hasText: nameThere }).first().isVisible(),
    'their reply is listed with its pseudonym',
  );
  await h.checkpoint(page, 'identity', response);

  // Another device: restore from the phrase, then reply in the same thread as the same person.
  const other = await h.newContext(options);
  const page2 = await other.newPage();
  response = await page2.goto(h.url('/me'));
  assert.equal(response.status(), 200);
  assert.ok(await page2.getByText('You do not have an anonymous identity on this device.').isVisible());
  await page2.locator('#phrase').fill('0000-0000-0000-0000-0000-0000');
  response = await navigation(page2, () => page2.getByRole('button', { name: 'Restore' }).click());
  assert.equal(response.status(), 422, 'an unknown phrase is refused');
  assert.equal(
    await text(page2.locator('#phrase-error')),
    'No identity has that recovery phrase. Please check it and try again.',
  );
  assert.equal(await page2.locator('#phrase').getAttribute('aria-invalid'), 'true');
  await forum.expectNoCookies(other, 'after a refused phrase');
  await h.checkpoint(page2, 'identity-restore-error', response);
  await page2.locator('#phrase').fill(phrase.toLowerCase());
  response = await navigation(page2, () => page2.getByRole('button', { name: 'Restore' }).click());
  await forum.expectRedirected(page2, response, 'restoring the identity');
  assert.equal(new URL(page2.url()).pathname, '/me');
  assert.equal(await text(page2.locator('.phrase code')), phrase, 'the same identity');
  assert.ok(await forum.keyCookie(other), 'the identity cookie is set on this device');

  response = await page2.goto(h.url(seed.other.threadPath));
  const editedThere = page2.locator(`article#p${first.postId}`);
  assert.equal(await text(editedThere.locator('.you')), '(you)', 'their earlier reply is theirs here too');
  assert.ok(await editedThere.getByRole('link', { name: 'Edit' }).isVisible());
  const third = await forum.reply(page2, { body: `Back on my phone now. Thank you all. ${tag}` });
  assert.equal(await forum.pseudonymOf(third.article), nameThere, 'the same pseudonym after restoring');
  assert.equal(await text(third.article.locator('.you')), '(you)');

  // Forgetting the identity on that device: the cookie goes, the posts stay.
  await page2.goto(h.url('/me'));
  response = await navigation(page2, () =>
    page2.getByRole('button', { name: 'Forget my identity on this device' }).click(),
  );
  await forum.expectRedirected(page2, response, 'forgetting the identity');
  assert.equal(new URL(page2.url()).pathname, '/me');
  assert.ok(await page2.getByText('You do not have an anonymous identity on this device.').isVisible());
  assert.equal(await forum.keyCookie(other), undefined, 'the identity cookie is gone');
  await page2.goto(h.url(seed.other.threadPath));
  assert.equal(await forum.pseudonymOf(page2.locator(`article#p${third.postId}`)), nameThere);
  assert.equal(await page2.locator('article.post .you').count(), 0, 'nothing is "(you)" any more');

  // The first device still holds the identity.
  await page.goto(h.url(thread.path));
  assert.equal(await text(page.locator('article.post').first().locator('.you')), '(you)');
}

module.exports = {
  name: 'journey 2: a member posts, edits, deletes and restores their identity',
  slug: 'j2',
  needsSeed: true,
  run,
};
