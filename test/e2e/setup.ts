// After a failed browser test, the log says what the pages showed and what the server printed
// (see describeForFailure in helpers.ts): on a CI machine that is all there is to go on.
import { afterEach } from 'vitest';
import { describeForFailure } from './helpers.js';

afterEach(async (ctx) => {
  if (ctx.task.result?.state !== 'fail') return;
  // eslint-disable-next-line no-console -- what a failed browser test shows
  console.error(`\n=== ${ctx.task.name}: what the browser and the server show ===\n${await describeForFailure()}\n===`);
});
