import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A new folder under the system's temporary folder for each test of the describe this is called in, removed after
 * the test, whatever it left there: the function gives the folder of the test that runs.
 */
export function tempDirEachTest(prefix: string): () => string {
  let dir: string | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterEach(() => rmSync(dir!, { recursive: true, force: true }));
  return () => dir!;
}
