'use strict';
// Content for readers to find on a fresh forum: a thread in Anxiety with a reply that carries
// a content warning, written by two members in contexts that are closed afterwards.

const assert = require('node:assert/strict');
const forum = require('./forum');

async function seed(h) {
  const seed = {
    board: { slug: 'anxiety', name: 'Anxiety' },
    title: 'Breathing exercises that help me at night',
    openingBody: 'Slow breathing, four counts in and six out, helps me when my thoughts race at night.',
    replyWarning: 'mentions panic attacks',
    replyBody: 'After my last panic attack I tried this too, and it helped me get back to sleep.',
  };
  const first = await h.newContext();
  const page = await first.newPage();
  await forum.openBoardFromHome(h, page, seed.board.name);
  const thread = await forum.startThread(h, page, {
    board: seed.board.slug,
    title: seed.title,
    body: seed.openingBody,
  });
  seed.threadId = thread.threadId;
  seed.threadPath = thread.path;
  await first.close();

  const second = await h.newContext();
  const page2 = await second.newPage();
  await page2.goto(h.url(seed.threadPath));
  const posted = await forum.reply(page2, { body: seed.replyBody, warning: seed.replyWarning });
  seed.replyId = posted.postId;
  assert.ok(await forum.keyCookie(second), 'the second member got an identity');
  await second.close();

  // A second thread, in another group, for members to reply to.
  const third = await h.newContext();
  const page3 = await third.newPage();
  seed.other = { board: { slug: 'grief-and-loss', name: 'Grief and loss' }, title: 'What got you through the first year?' };
  await forum.openBoardFromHome(h, page3, seed.other.board.name);
  const other = await forum.startThread(h, page3, {
    board: seed.other.board.slug,
    title: seed.other.title,
    body: 'It has been eight months since my dad died. What helped you in the first year?',
  });
  seed.other.threadId = other.threadId;
  seed.other.threadPath = other.path;
  await third.close();
  return seed;
}

module.exports = { seed };
