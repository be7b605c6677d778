import { fetchOnFreshConnection } from "../../helpers/http.js";
import { startPrism } from "../../helpers/prism.js";
import { readOutcome, toRequest } from "../wire.js";
import { ALL_CAPABILITIES, recordedIn, startMock } from "./mock-in-process.js";
import type { Capability, TargetFactory } from "./target.js";

/** What Prism's proxy answers itself, before forwarding, even with `--validate-request=false`. */
const LACKING: Partial<Record<Capability, string>> = {
  answersMalformedJsonByContract:
    "Prism's proxy parses the body before forwarding and answers a body that is not JSON with its own `{ error: { code, message } }`",
  answersMalformedCredentialsByContract:
    "Prism's proxy enforces the security scheme before forwarding and answers with its own application/problem+json 401",
};

/**
 * Target (b): the mock Jelou over HTTP on loopback, behind two Prism proxies run with `--errors`, so that an answer of
 * the mock that breaks openapi.yaml becomes a 500 listing the violations:
 * - a validating proxy for requests meant to be accepted: Prism also checks that the request is valid by the contract;
 * - a proxy with `--validate-request=false` for requests meant to be refused: they reach the mock, and Prism checks the
 *   mock's error answer against the contract (a validating proxy would answer them itself).
 * Problems are read from the mock's body only, so an answer Prism made instead of the mock cannot pass for the mock's.
 * What the proxy answers without asking the mock (credentials that are not Basic, bodies that are not JSON) is declared
 * as capabilities this target lacks.
 */
export const mockBehindPrismTarget: TargetFactory = {
  name: "mock over HTTP behind Prism proxy",
  capabilities: new Set([...ALL_CAPABILITIES].filter((capability) => !(capability in LACKING))),
  lacking: LACKING,
  async start(options) {
    const { mock, logs } = startMock(options);
    const server = await mock.listen({ port: 0, hostname: "127.0.0.1" });
    const starts = await Promise.allSettled([
      startPrism({ mode: "proxy", upstream: server.url }),
      startPrism({ mode: "proxy", upstream: server.url, validateRequest: false }),
    ]);
    const [validating, responsesOnly] = starts.map((start) => (start.status === "fulfilled" ? start.value : undefined));
    if (validating === undefined || responsesOnly === undefined) {
      // One proxy may have started while the other failed: stop what did start, or it outlives the run.
      await Promise.all([validating?.stop(), responsesOnly?.stop(), server.close()]);
      throw starts.find((start) => start.status === "rejected")?.reason;
    }
    return {
      async send(request, intent) {
        const proxy = intent === "accept" ? validating : responsesOnly;
        return readOutcome(await fetchOnFreshConnection(toRequest(proxy.url, request)), "body");
      },
      recorded: recordedIn(mock),
      logs: () =>
        [`--- mock ---`, logs.toString(), `--- prism proxy ---`, validating.logs(), `--- prism proxy, responses only ---`, responsesOnly.logs()].join("\n"),
      async close() {
        await Promise.all([validating.stop(), responsesOnly.stop(), server.close()]);
      },
    };
  },
};
