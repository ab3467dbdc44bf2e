import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.js';

describe('migrations/index.ts', () => {
  it('lists every migration file of the folder, in name order', () => {
    const files = fs
      .readdirSync(new URL('../../migrations', import.meta.url))
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(Object.keys(migrations)).toEqual(files);
  });
});
