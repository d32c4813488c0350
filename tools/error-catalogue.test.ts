import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Every `*ErrorCodes` object exported by the platform's and each module's errors.ts. */
async function codesInCode(): Promise<Set<string>> {
  const files = [join(root, 'packages/platform/src/errors/errors.ts')];
  for (const m of readdirSync(join(root, 'modules'), { withFileTypes: true })) {
    if (m.isDirectory()) files.push(join(root, 'modules', m.name, 'src/errors.ts'));
  }
  const codes = new Set<string>();
  for (const file of files) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(file)) as Record<string, unknown>;
    } catch (err) {
      if (
        (err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' ||
        /Cannot find module|Failed to load/.test(String(err))
      )
        continue;
      throw err;
    }
    for (const [name, value] of Object.entries(mod)) {
      if (name.endsWith('ErrorCodes') && value && typeof value === 'object') {
        for (const code of Object.keys(value)) codes.add(code);
      }
    }
  }
  return codes;
}

function codesInDocs(): Set<string> {
  const text = readFileSync(join(root, 'docs/errors.md'), 'utf8');
  return new Set([...text.matchAll(/^\|\s*`([a-z_]+)`\s*\|/gm)].map((m) => m[1] as string));
}

describe('error catalogue', () => {
  it('documents every error code the code can answer with, and nothing that is gone', async () => {
    const inCode = await codesInCode();
    const inDocs = codesInDocs();
    expect(inCode.size).toBeGreaterThan(0);
    expect([...inCode].filter((c) => !inDocs.has(c)).sort(), 'codes missing from docs/errors.md').toEqual([]);
    expect(
      [...inDocs].filter((c) => !inCode.has(c)).sort(),
      'documented codes no longer in any errors.ts',
    ).toEqual([]);
  });
});
