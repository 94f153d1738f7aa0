'use strict';
// Journey 6: journeys 1 and 2 again with JavaScript disabled. The forum needs no script: every
// form posts and every content warning opens with plain HTML. (Journey 1 also checks that the
// one optional script, help.js, did not run.)

const reader = require('./01-reader');
const member = require('./02-member');

async function run(h) {
  const options = { javaScriptEnabled: false };
  await reader.run(h, options);
  await member.run(h, options);
}

module.exports = {
  name: 'journey 6: journeys 1 and 2 with JavaScript disabled',
  slug: 'j6',
  needsSeed: true,
  run,
};
