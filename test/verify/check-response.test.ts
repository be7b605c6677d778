import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { buildValidatorModule } from "../../scripts/generate-validators.js";
import { checkFlowMessageResponse, describeFlowMessageResponse } from "../../src/contract/index.js";
import { sendFlowMessageResponses } from "../../generated/validators.js";

const JSON_TYPE = { "content-type": "application/json; charset=utf-8" };

describe("the response validators generated from openapi.yaml", () => {
  it("cover every status the flow_message operation declares, with its body schema and headers", () => {
    expect(Object.keys(sendFlowMessageResponses.statuses)).toEqual(["200", "400", "401", "403", "404", "413", "415", "422", "429", "500", "503"]);
    const unauthorized = sendFlowMessageResponses.statuses["401"]!;
    expect(unauthorized.pointer).toBe("#/components/responses/Unauthorized");
    expect(unauthorized.content["application/json"]).toMatchObject({ schema: "JelouError", pointer: "#/components/schemas/JelouError" });
    expect(Object.keys(unauthorized.headers)).toEqual(["www-authenticate", "x-request-id"]);
    expect(unauthorized.content["application/json"]!.validate({ code: "unauthorized" })).toBe(true);
    expect(sendFlowMessageResponses.statuses["429"]!.validateHeaders({ "retry-after": "soon" })).toBe(false);
  });
});

describe("checkFlowMessageResponse", () => {
  it("accepts what the contract declares", () => {
    expect(checkFlowMessageResponse({ status: 200, headers: new Headers(JSON_TYPE), body: "{}" })).toMatchObject({ conforms: true, differences: [] });
    const body = JSON.stringify({ code: "bot_not_found", description: "No such bot." });
    expect(checkFlowMessageResponse({ status: 404, headers: { "X-Request-Id": "req_1", ...JSON_TYPE }, body }).conforms).toBe(true);
  });

  it("names an undeclared status, with where to declare it", () => {
    const check = checkFlowMessageResponse({ status: 502, headers: JSON_TYPE, body: "{}" });
    expect(check.differences).toEqual([expect.objectContaining({ part: "status", actual: "502",
      schemaPath: "#/paths/~1v1~1bots~1{botId}~1users~1{userId}~1flow_message/post/responses" })]);
    expect(check.differences[0]!.suggestion).toMatch(/^add a '502' response/);
  });

  it("names a wrong type and a broken header rule at their exact place in the contract", () => {
    const check = checkFlowMessageResponse({ status: 429, headers: { ...JSON_TYPE, "retry-after": "soon" }, body: '{"code":5}' });
    expect(check.differences.map((d) => [d.part, d.at, d.schemaPath])).toEqual([
      ["header", "Retry-After", "#/components/headers/RetryAfter/schema/pattern"],
      ["body", "/code", "#/components/schemas/JelouError/properties/code/type"],
    ]);
    expect(check.differences[1]!.suggestion).toBe(
      "429 body `code` is integer: allow it in the `type` of JelouError (#/components/schemas/JelouError/properties/code/type)",
    );
  });

  it("names a nested problem by the schema that holds it, and a body that is not JSON", () => {
    const nested = checkFlowMessageResponse({ status: 422, headers: JSON_TYPE, body: '{"code":"x","errors":[{"path":"title"}]}' });
    expect(nested.differences.map((d) => [d.at, d.schemaPath])).toEqual([
      ["/errors/0", "#/components/schemas/FieldProblem/required"],
      ["/errors/0", "#/components/schemas/FieldProblem/required"],
    ]);
    const text = checkFlowMessageResponse({ status: 500, headers: JSON_TYPE, body: "<h1>oops</h1>" });
    expect(text.differences).toEqual([expect.objectContaining({ part: "body", schemaPath: "#/components/schemas/JelouError" })]);
    expect(checkFlowMessageResponse({ status: 500, headers: {}, body: "" }).differences.map((d) => d.part)).toEqual(["content-type", "body"]);
  });

  it("describes what the contract declares for a status", () => {
    expect(describeFlowMessageResponse(404)).toBe("404 (#/components/responses/NotFound): application/json JelouError; headers X-Request-Id");
    expect(describeFlowMessageResponse(418)).toMatch(/^418: not declared \(declared: 200, 400/);
  });
});

describe("buildValidatorModule's response side", () => {
  const contract = async () => parseYaml(await readFile(new URL("../../openapi.yaml", import.meta.url), "utf8")) as Record<string, unknown>;

  it("follows an edit of a response's schema or headers, so that the drift check of generated/ catches it", async () => {
    const doc = await contract();
    const before = buildValidatorModule(doc, "openapi.yaml", undefined, ["sendFlowMessage"]);
    const edited = structuredClone(doc) as unknown as { components: { headers: { RequestId: { schema: Record<string, unknown> } } } };
    edited.components.headers.RequestId.schema.maxLength = 64;
    const after = buildValidatorModule(edited as never, "openapi.yaml", undefined, ["sendFlowMessage"]);
    expect(after.js).not.toBe(before.js);
    expect(after.js).toContain("maxLength");
    expect(before.dts).toContain("export declare const sendFlowMessageResponses: OperationResponses;");
  });

  it("leaves a module without responsesOf as it was: no response validators, no metadata", async () => {
    const plain = buildValidatorModule(await contract(), "openapi.yaml");
    expect(plain.js).not.toContain("sendFlowMessageResponses");
    expect(plain.dts).not.toContain("OperationResponses");
  });
});

describe("checkFlowMessageResponse on a hostile answer", () => {
  it("never throws on a body too deep to show, and keeps 20 differences plus a count, each field clipped", () => {
    const deep = checkFlowMessageResponse({ status: 200, headers: JSON_TYPE, body: `${"[".repeat(30_000)}${"]".repeat(30_000)}` });
    expect(deep.conforms).toBe(false);
    const wide = JSON.stringify(Object.fromEntries([...Array(500).keys()].map((i) => [`k${i}${"x".repeat(400)}`, i])));
    const check = checkFlowMessageResponse({ status: 200, headers: JSON_TYPE, body: wide });
    expect(check.differences).toHaveLength(21);
    expect(check.differences.at(-1)?.actual).toBe("...and 480 more");
    expect(Math.max(...check.differences.flatMap((d) => Object.values(d).map((v) => v.length)))).toBeLessThanOrEqual(300);
  });

  it("scrubs the given secrets before reading the answer, so that lower-casing a Content-Type shows none", () => {
    const secret = "AbCdEfGh-Mixed-Case";
    const check = checkFlowMessageResponse({ status: 200, headers: { "content-type": `text/${secret}` }, body: "{}", secrets: [secret] });
    expect(JSON.stringify(check).toLowerCase()).not.toContain(secret.toLowerCase());
  });

  it("quotes a key that holds more than a plain name", () => {
    const check = checkFlowMessageResponse({ status: 200, headers: JSON_TYPE, body: JSON.stringify({ "a\nb": 1 }) });
    expect(check.differences[0]?.actual).toBe('"a\\nb" (integer)');
  });
});
