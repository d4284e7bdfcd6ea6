/**
 * A real OpenAI-compatible server on 127.0.0.1 (test/helpers/openai-test-server.ts) that names every topic of a
 * firm's topic-naming request ("Topic 1 … Topic n") and every theme of a theme-naming request ("Theme 1 …
 * Theme n"), and records which kind each request was.
 */
import { OpenAiTestServer, type ReceivedRequest } from '@callthemes/common/testing/openai-test-server';

export interface NamingServer {
  server: OpenAiTestServer;
  /** Kind of each chat request, in arrival order. */
  kinds: ('topics' | 'themes')[];
  /** Chat requests whose exact body the server had already answered. */
  repeatedBodies(): number;
  close(): Promise<void>;
}

function userText(req: ReceivedRequest): string {
  const msgs = (req.body?.messages ?? []) as { role: string; content: string }[];
  return msgs
    .filter((m) => m.role === 'user')
    .map((m) => m.content)
    .join('\n');
}

export async function startNamingServer(): Promise<NamingServer> {
  const kinds: ('topics' | 'themes')[] = [];
  const seen = new Map<string, number>();
  const server = await OpenAiTestServer.start((req) => {
    const text = userText(req);
    const body = JSON.stringify(req.body);
    seen.set(body, (seen.get(body) ?? 0) + 1);
    kinds.push(/^Theme 1$/m.test(text) ? 'themes' : 'topics');
    const numbers = [...text.matchAll(/^(?:Topic|Theme) (\d+)$/gm)].map((m) => m[1]);
    const answer = Object.fromEntries(
      numbers.map((n) => [
        n,
        { name: `Business subject number ${n}`, description: 'Speakers discuss this business subject.' },
      ]),
    );
    return { chat: JSON.stringify(answer) };
  });
  return {
    server,
    kinds,
    repeatedBodies: () => [...seen.values()].reduce((a, c) => a + (c - 1), 0),
    close: () => server.close(),
  };
}
