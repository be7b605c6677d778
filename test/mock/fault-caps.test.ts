/**
 * The scripted fault list is bounded by mock/inspection/openapi.yaml: at most FaultList.faults.maxItems pending faults, and no
 * string field past FaultSpec's maxLength. Past either cap, POST /__mock/faults answers 422 naming the field, the rule
 * and the fix, and what is held stays as it was.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { validateMockError } from "../../generated/mock/validators.js";
import { createMockJelou } from "../../mock/index.js";
import { FaultSpecError } from "../../mock/faults/faults.js";

const contract = parse(readFileSync(new URL("../../mock/inspection/openapi.yaml", import.meta.url), "utf8"));
const MAX_FAULTS: number = contract.components.schemas.FaultList.properties.faults.maxItems;
const MAX_ID: number = contract.components.schemas.FaultSpec.properties.botId.maxLength;

type MockErrorBody = { code: string; description: string; errors: { path: string; rule: string; message: string }[] };

function post(mock: ReturnType<typeof createMockJelou>, spec: unknown): Promise<Response> {
  return mock.fetch("/__mock/faults", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(spec) });
}

describe("the fault list's caps", () => {
  it("the contract states both caps", () => {
    expect(MAX_FAULTS).toBe(1000);
    expect(contract.components.schemas.FaultSpec.properties.userId.maxLength).toBe(MAX_ID);
  });

  it(`one fault past ${"maxItems"} answers 422 naming faults, maxItems and the fix; the list keeps its size`, async () => {
    const mock = createMockJelou({ env: false });
    for (let i = 0; i < MAX_FAULTS; i++) mock.faults.add({ kind: "server_error" });
    const response = await post(mock, { kind: "server_error" });
    expect(response.status).toBe(422);
    const error = (await response.json()) as MockErrorBody;
    expect(validateMockError(error)).toBe(true);
    expect(error.errors).toEqual([expect.objectContaining({ path: "faults", rule: "maxItems" })]);
    expect(error.description).toContain(`${MAX_FAULTS}`);
    expect(error.description).toMatch(/DELETE \/__mock\/faults/);
    expect(error.description).toMatch(/times/);
    expect(mock.faults.list()).toHaveLength(MAX_FAULTS);
    expect(() => mock.faults.add({ kind: "drop" })).toThrow(FaultSpecError);
    mock.faults.clear();
    expect((await post(mock, { kind: "server_error" })).status).toBe(201);
  });

  it.each(["botId", "userId"])("a %s of 100 KB answers 422 naming the field and maxLength", async (field) => {
    const mock = createMockJelou({ env: false });
    const response = await post(mock, { kind: "drop", [field]: "x".repeat(100_000) });
    expect(response.status).toBe(422);
    const error = (await response.json()) as MockErrorBody;
    expect(error.errors).toEqual([expect.objectContaining({ path: field, rule: "maxLength" })]);
    expect(error.errors[0]?.message).toContain(String(MAX_ID));
    expect(mock.faults.list()).toEqual([]);
    expect((await post(mock, { kind: "drop", [field]: "x".repeat(MAX_ID) })).status).toBe(201);
  });

  it("a fault's userId written as people write numbers meets the sends to that number", async () => {
    const mock = createMockJelou({ env: false });
    const created = await post(mock, { kind: "server_error", userId: "+593 (98) 765-4321" });
    expect(((await created.json()) as { userId: string }).userId).toBe("593987654321");
    const decision = mock.faults.take("bot-1", "593987654321");
    expect(decision?.kind).toBe("server_error");
    expect(mock.faults.list()).toEqual([]);
  });

  it("an unknown kind answers 422 listing the kinds of the contract", async () => {
    const mock = createMockJelou({ env: false });
    const response = await post(mock, { kind: "explode" });
    expect(response.status).toBe(422);
    const error = (await response.json()) as MockErrorBody;
    const kinds: string[] = contract.components.schemas.FaultKind.enum;
    expect(error.errors).toEqual([expect.objectContaining({ path: "kind", rule: "enum" })]);
    for (const kind of kinds) expect(error.errors[0]?.message).toContain(`"${kind}"`);
  });
});
