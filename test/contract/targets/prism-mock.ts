import { fetchOnFreshConnection } from "../../helpers/http.js";
import { startPrism } from "../../helpers/prism.js";
import { readOutcome, toRequest } from "../wire.js";
import type { TargetFactory } from "./target.js";

/**
 * Target (c): the Prism mock generated from openapi.yaml. It knows the contract's rules but nothing else: it keeps no
 * state, accepts any well-formed credentials, and answers every invalid request with one static example of the
 * contract, the reason being only in its `sl-violations` header, which is where this target reads the problems from.
 */
export const prismMockTarget: TargetFactory = {
  name: "Prism mock",
  // Its 401 for missing or malformed credentials is the contract's own example.
  capabilities: new Set(["answersMalformedCredentialsByContract"]),
  lacking: {
    checksCredentials: "Prism accepts any well-formed Basic credentials",
    keepsState: "Prism records nothing",
    knowsBots: "Prism knows the contract only, not which bots exist nor who may use them",
    answersErrorCodes: "Prism answers every error with one static example of the contract, whatever the rule broken",
    rejectsEmptyQueryValue: "Prism reads `?type=` as no type at all and skips its minLength",
    answersMalformedJsonByContract: "Prism answers a body that is not JSON with its own `{ error: { code, message } }`",
  },
  async start() {
    const prism = await startPrism({ mode: "mock" });
    return {
      send: async (request) => readOutcome(await fetchOnFreshConnection(toRequest(prism.url, request)), "violations"),
      logs: () => `--- prism mock ---\n${prism.logs()}`,
      close: () => prism.stop(),
    };
  },
};
