/**
 * A JSON-over-HTTP stand-in on 127.0.0.1 (the fake and offline model servers): GET /health answers 200 and any
 * other GET 404; a request body is parsed as JSON (400 if it is not) and answered by `handler`, a throw being a
 * 500 naming the error. `onRequest` sees every request's path first (request counts).
 */
import { createServer } from 'node:http';
import { type Loopback, listenOnLoopback } from './loopback.js';

// biome-ignore lint/suspicious/noExplicitAny: request bodies are arbitrary JSON
export type JsonHandler = (path: string, body: any) => Promise<[status: number, answer: unknown]>;

export function startJsonServer(handler: JsonHandler, onRequest?: (path: string) => void): Promise<Loopback> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const path = req.url ?? '/';
    onRequest?.(path);
    if (req.method === 'GET') return send(path === '/health' ? 200 : 404, {});
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(400, { error: 'not JSON' });
    }
    try {
      const [status, answer] = await handler(path, body);
      send(status, answer);
    } catch (err) {
      send(500, { error: (err as Error).message });
    }
  });
  return listenOnLoopback(server);
}
