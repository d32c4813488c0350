import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { cruise } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const config = require('../.dependency-cruiser.cjs') as {
  forbidden: unknown[];
  options: Record<string, unknown>;
};
const fixture = fileURLToPath(new URL('./fixtures/boundaries', import.meta.url));

// Runs the real rule set of `npm run boundaries` on a small tree that breaks each rule once, so
// the check is known to fail when it should (the main tree is checked by `npm run boundaries`).
describe('boundary check', () => {
  it('flags a module importing another module’s internals, an app reaching into internals, and a cycle', async () => {
    const cwd = process.cwd();
    process.chdir(fixture);
    try {
      const result = await cruise(['apps', 'modules', 'packages'], {
        ...config.options,
        tsConfig: undefined,
        ruleSet: { forbidden: config.forbidden },
        validate: true,
      } as never);
      const output = result.output as {
        summary: { violations: Array<{ rule: { name: string }; from: string; to: string }> };
      };
      const found = output.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
      expect(found).toEqual([
        'apps-use-module-doors-only: apps/web/src/main.ts -> modules/alpha/src/internal.ts',
        'module-internals-are-private: modules/beta/src/index.ts -> modules/alpha/src/internal.ts',
        'no-cycles: packages/base/src/x.ts -> packages/base/src/y.ts',
      ]);
    } finally {
      process.chdir(cwd);
    }
  });
});
