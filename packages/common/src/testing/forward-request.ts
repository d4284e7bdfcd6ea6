/**
 * The forwarding half of a stand-in proxy (the StartMessageMoveTask stand-in, the rehearsal's S3 counter): the
 * request goes to `upstream` as it came — method, path, headers, body — and the answer streams back. The Host
 * header stays the proxy's: the client signed it, and moto builds queue URLs from it. An unreachable upstream is
 * a 502 naming the error.
 */
import { type IncomingMessage, request, type ServerResponse } from 'node:http';

export function forwardRequest(upstream: URL, req: IncomingMessage, res: ServerResponse): void {
  const up = request(
    {
      hostname: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
    },
    (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    },
  );
  up.on('error', (err) => {
    res.writeHead(502);
    res.end(err.message);
  });
  req.pipe(up);
}
