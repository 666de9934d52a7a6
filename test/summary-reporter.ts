/**
 * Prints one plain closing line — `tests: N passed, N failed, N skipped` — after vitest's own
 * summary, so CI logs carry a count any tool can read.
 */
import { writeSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      if (mod.state() === 'failed' && [...mod.children.allTests()].length === 0) failed++;
    }
    // Written at exit so it is the very last line, after vitest's own summary.
    process.once('exit', () => writeSync(1, `\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`));
  }
}
