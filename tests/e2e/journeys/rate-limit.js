'use strict';
// A flood of replies meets "Please slow down". Runs against the second forum, whose rate limits
// are on (the defaults: a reply every 10 s, a burst of 3; half the burst for a new member).
// The member starts a thread, so the forum knows them as new: their 3rd quick reply is refused.

const assert = require('node:assert/strict');
const { navigation, firstStatus, text } = require('../lib/harness');
const forum = require('../lib/forum');

async function run(h, options = {}) {
  const context = await h.newContext(options);
  const page = await context.newPage();
  const title = `Is it normal to feel this tired all the time? ${forum.unique()}`;
  await forum.openBoardFromHome(h, page, 'Supporting someone', 'limited');
  const thread = await forum.startThread(h, page, {
    board: 'supporting-someone',
    title,
    body: 'Caring for my brother leaves me exhausted. How do you look after yourselves?',
  });

  const refused = [];
  for (let n = 1; n <= 4 && refused.length === 0; n += 1) {
    const body = `Reply number ${n}: sleep, and saying no sometimes.`;
    await page.locator('#body').fill(body);
    const response = await navigation(page, () => page.getByRole('button', { name: 'Post reply' }).click());
    const first = await firstStatus(response);
    if (first.status === 429) {
      refused.push({ n, response, body });
    } else {
      await forum.expectRedirected(page, response, `reply ${n}`);
      assert.equal(forum.parseThreadUrl(page.url()).threadId, thread.threadId);
    }
  }
  assert.equal(refused.length, 1, 'the flood is refused');
  const { n, response, body } = refused[0];
  assert.equal(n, 3, "a new member's 3rd quick reply is the one refused");
  assert.equal(response.status(), 429);
  assert.equal(response.request().method(), 'POST');
  const retryAfter = Number(response.headers()['retry-after']);
  assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After says how long to wait (${retryAfter})`);
  await forum.expectHeading(page, 'Please slow down');
  await forum.expectTitle(page, 'Please slow down');
  assert.match(await text(page.locator('main')), /You are doing that too often\. Please wait a little and try again/);
  assert.ok(await page.getByText('Error 429').isVisible());
  assert.ok(await page.locator('main').getByRole('link', { name: 'Need help now?' }).isVisible(), 'help stays one click away');
  await h.checkpoint(page, 'rate-limited', response);

  // Going back, what they wrote is still in the form, and the refused reply was not posted.
  await page.goBack();
  assert.equal(new URL(page.url()).pathname, thread.path);
  assert.equal(await page.locator('#body').inputValue(), body, 'what they wrote is still there');
  await page.reload();
  assert.equal(await page.locator('article.post').count(), 1 + (n - 1), 'the refused reply was not posted');
}

module.exports = {
  name: 'rate limit: a flood of replies meets "Please slow down" (429)',
  slug: 'rate',
  server: 'limited',
  run,
};
