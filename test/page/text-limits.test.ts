import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { codePoints, textLimits } from "../../src/contract/index.js";
import { textUsage } from "../../mock/page/message-card.js";

describe("textLimits", () => {
  it("gives the limits openapi.yaml sets, read through the generated validators", () => {
    const schemas = parse(readFileSync("openapi.yaml", "utf8")).components.schemas;
    const message = schemas.FlowMessage.properties;
    const parameters = schemas.FlowParameters.properties;
    expect(textLimits()).toEqual({
      title: { min: message.title.minLength, max: message.title.maxLength },
      text: { min: message.text.minLength, max: message.text.maxLength },
      caption: { min: message.caption.minLength, max: message.caption.maxLength },
      "parameters.flow_cta": { min: parameters.flow_cta.minLength, max: parameters.flow_cta.maxLength },
    });
  });
});

describe("textUsage", () => {
  it("counts code points, as the contract does, so an emoji with a skin tone counts as two", () => {
    expect(codePoints("👍🏽")).toBe(2);
    const usage = textUsage({ title: "Hi 👍🏽", text: "x", caption: "é", parameters: { flow_name: "f", flow_cta: "Go" } });
    expect(usage.map((u) => [u.field, u.length])).toEqual([
      ["title", 5],
      ["text", 1],
      ["caption", 1],
      ["parameters.flow_cta", 2],
    ]);
    const max = textLimits().title.max;
    expect(usage[0]).toMatchObject({ max, ratio: 5 / max, label: "header (title)" });
  });
});
