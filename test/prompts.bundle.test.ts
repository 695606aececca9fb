import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUNDLE_FILE, renderPromptBundle } from '../src/prompts/bundle-cli.js';
import { bundledPromptFiles, bundledPromptLock } from '../src/prompts/bundled.js';
import { loadPromptFiles, loadPromptRegistry } from '../src/prompts/load-node.js';
import { createPromptRegistry } from '../src/prompts/registry.js';

// The Worker serves the prompts bundled into src/prompts/bundled.ts; they must be the files on
// disk, byte for byte, or a brief made on Workers would name a different prompt sha256.
describe('prompts bundled for the Worker', () => {
  it('are the files under prompts/ and the lock, verbatim (else: npm run build:prompts)', async () => {
    const { files, lock } = await loadPromptFiles('prompts');
    expect(bundledPromptFiles).toEqual(files);
    expect(bundledPromptLock).toEqual(lock);
    expect(readFileSync(BUNDLE_FILE, 'utf8')).toBe(await renderPromptBundle('prompts'));
  });

  it('give the Worker the same versions and sha256 values as the Node registry', async () => {
    const fromDisk = await loadPromptRegistry('prompts');
    const fromBundle = await createPromptRegistry(bundledPromptFiles, bundledPromptLock);
    const identity = (registry: typeof fromDisk) =>
      registry.list().map(({ ref, sha256 }) => ({ ref, sha256 }));
    expect(identity(fromBundle)).toEqual(identity(fromDisk));
    expect(identity(fromBundle).length).toBeGreaterThan(0);
  });
});
