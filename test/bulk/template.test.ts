import { describe, expect, it } from "vitest";
import { compileTemplate, TemplateError } from "../../src/bulk/template.js";
import { TEMPLATE } from "./helpers.js";

describe("compileTemplate", () => {
  it("lists the columns its placeholders use and fills texts, payload and flow data", () => {
    const t = compileTemplate(TEMPLATE);
    expect(t.columns).toEqual(["name", "order"]);
    const { value, problems } = t.render({ name: "Ana", order: "A-7" });
    expect(problems).toEqual([]);
    expect(value.title).toBe("Hi Ana");
    expect(value.payload).toEqual({ order: "A-7" });
    expect((value.parameters as { flow_action_payload: { data: unknown } }).flow_action_payload.data).toEqual({ order: "A-7" });
  });

  it("inserts cells as text, so quotes, backslashes and newlines cannot break the JSON", () => {
    const t = compileTemplate({ ...TEMPLATE, text: "Note: {{name}}" });
    const cell = 'He said "hi" \\ then\nleft }}{{';
    const { value } = t.render({ name: cell, order: "1" });
    expect(value.text).toBe(`Note: ${cell}`);
    expect(JSON.parse(JSON.stringify(value)).text).toBe(`Note: ${cell}`);
  });

  it("reports a missing column as a problem of the row, naming the field and the column", () => {
    const { problems, value } = compileTemplate(TEMPLATE).render({ name: "Ana" });
    expect(problems.map((p) => p.path)).toEqual(["text", "parameters.flow_action_payload.data.order", "payload.order"]);
    expect(problems[0]!.message).toContain("{{order}}");
    expect(value.text).not.toContain("{{");
  });

  it("keeps an escaped placeholder as text and fills an empty cell with an empty string", () => {
    const t = compileTemplate({ ...TEMPLATE, title: "\\{{name}} {{name}}" });
    expect(t.columns).toEqual(["name", "order"]);
    expect(t.render({ name: "", order: "1" }).value.title).toBe("{{name}} ");
  });

  it("refuses a placeholder where nothing is filled, such as flow_name", () => {
    expect(() => compileTemplate({ ...TEMPLATE, parameters: { flow_name: "{{flow}}", flow_cta: "Go" } })).toThrow(TemplateError);
    expect(() => compileTemplate({ ...TEMPLATE, parameters: { flow_name: "{{flow}}", flow_cta: "Go" } })).toThrow(/parameters\.flow_name/);
    expect(() => compileTemplate([1])).toThrow(TemplateError);
  });
});
