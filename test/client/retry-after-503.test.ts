import { describe, expect, it } from "vitest";
import { createJelouClient, JelouError } from "../../src/index.js";
import { json, useFakeJelou, validMessage } from "./fake-jelou.js";

const jelou = useFakeJelou();

async function send503(retryAfter: string) {
  jelou.script(
    json(503, { code: "service_unavailable", description: "Try later." }, { "retry-after": retryAfter }),
    json(503, { code: "service_unavailable", description: "Try later." }, { "retry-after": retryAfter }),
    json(503, { code: "service_unavailable", description: "Try later." }, { "retry-after": retryAfter }),
  );
  const client = createJelouClient({ clientId: "id", clientSecret: "secret", baseUrl: jelou.url, retry: { baseDelayMs: 1 } });
  return client.sendFlowMessage(validMessage()).then(
    () => undefined,
    (error: unknown) => error as JelouError,
  );
}

describe("a 503 is safe to retry only with a readable Retry-After", () => {
  for (const value of ["", "   ", "-1", "soon", "5 5", "Someday, 99 Foo 2020"]) {
    it(`Retry-After ${JSON.stringify(value)}: one POST, kind server, maybe sent`, async () => {
      const error = await send503(value);
      expect(jelou.received.filter((r) => r.method === "POST")).toHaveLength(1);
      expect(error).toMatchObject({ kind: "server", status: 503, maybeSent: true, retryable: false, attempts: 1 });
      expect(error?.retryAfterMs).toBeUndefined();
    });
  }

  for (const value of ["0", "Wed, 21 Oct 2015 07:28:00 GMT"]) {
    it(`Retry-After ${JSON.stringify(value)}: retried as refused before any work`, async () => {
      const error = await send503(value);
      expect(jelou.received.filter((r) => r.method === "POST")).toHaveLength(3);
      expect(error).toMatchObject({ kind: "server", status: 503, maybeSent: false, retryable: true, attempts: 3 });
    });
  }
});
