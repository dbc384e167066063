import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import semver from 'semver';

const root = path.resolve(__dirname, '..', '..', '..');
const read = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));

describe('engines', () => {
  it("claims no older Node than every locked dependency's engines allow", () => {
    const range: string = read('package.json').engines.node;
    const oldest = semver.minVersion(range);
    assert.ok(oldest, `engines.node "${range}" names a version`);
    const packages: Record<string, { engines?: { node?: string } }> =
      read('package-lock.json').packages;
    const stricter = Object.entries(packages)
      .filter(([name, info]) => name !== '' && typeof info.engines?.node === 'string')
      .filter(([, info]) => !semver.satisfies(oldest, info.engines?.node as string))
      .map(([name, info]) => `${name} needs ${info.engines?.node}`);
    assert.deepEqual(stricter, [], `package.json says ${range}`);
  });
});
