import { request as httpRequest } from "node:http";

/**
 * Sends a `Request` on a connection of its own, closed after the answer, and returns the `Response`.
 *
 * Why not the global `fetch`: it keeps idle connections for reuse, and a server closes an idle connection after its
 * keep-alive timeout (5 s for Node and Prism). When a test leaves a server idle for about that long, which a loaded CI
 * machine makes likely, the next request can be written on a connection the server is closing, and fails with "other
 * side closed" though neither side did anything wrong. A fresh connection per request costs ~0.1 ms on loopback.
 *
 * @param request the request; only http: URLs on loopback are sent
 * @param options.timeoutMs how long the connection may stay silent before the request fails (default 30 s)
 * @throws Error when the connection fails or stays silent too long
 */
export async function fetchOnFreshConnection(request: Request, options: { timeoutMs?: number } = {}): Promise<Response> {
  const url = new URL(request.url);
  if (url.protocol !== "http:") throw new Error(`fetchOnFreshConnection: only http: URLs, got ${url.protocol}`);
  const body = request.body === null ? undefined : Buffer.from(await request.arrayBuffer());
  const headers: Record<string, string> = Object.fromEntries(request.headers);
  if (body !== undefined) headers["content-length"] = String(body.length);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: request.method, headers, agent: false },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("error", reject);
        incoming.on("end", () => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(incoming.headers)) {
            for (const item of Array.isArray(value) ? value : [value ?? ""]) responseHeaders.append(name, item);
          }
          const status = incoming.statusCode ?? 0;
          const nullBody = status === 204 || status === 304;
          resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, headers: responseHeaders }));
        });
      },
    );
    outgoing.on("error", reject);
    const timeoutMs = options.timeoutMs ?? 30_000;
    outgoing.setTimeout(timeoutMs, () => outgoing.destroy(new Error(`${request.method} ${request.url}: no answer in ${timeoutMs} ms`)));
    outgoing.end(body);
  });
}
