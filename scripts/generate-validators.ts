/**
 * Compiles the schemas of an OpenAPI 3.1 document into one self-contained ES module of Ajv standalone validators, and
 * the declaration file that types it. Nothing is compiled at run time and no schema is copied by hand: every validator
 * comes from the document.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import standaloneModule from "ajv/dist/standalone/index.js";
import { RESPONSE_TYPES, responseContracts } from "./response-contracts.ts";

// The CommonJS module puts the function on `default`; under NodeNext the import is the whole module object.
const standaloneCode = standaloneModule.default;

type Json = Record<string, unknown>;

/** Keywords of this project's own, kept in the compiled schemas so error messages can quote them. */
const EXTRA_KEYWORDS = ["x-pattern-description"];

/**
 * Ajv's standalone output still `require`s its runtime helpers even in ESM mode. The only helper these schemas need
 * counts Unicode code points for `maxLength`/`minLength`; it is inlined so the generated module has no dependency at all.
 * Any other helper fails the generation loudly rather than producing a module that breaks at import.
 */
const RUNTIME_INLINE: Record<string, string> = {
  "ajv/dist/runtime/ucs2length":
    "((s) => { let n = 0; for (let i = 0; i < s.length; i++) { n++; const c = s.charCodeAt(i); if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) { const d = s.charCodeAt(i + 1); if ((d & 0xfc00) === 0xdc00) i++; } } return n; })",
};

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** Rewrites `#/components/schemas/X` references to the `$defs` of the single schema document Ajv is given. */
function rewriteRefs(node: unknown, base: string): unknown {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, base));
  if (node === null || typeof node !== "object") return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "$ref" && typeof value === "string" && value.startsWith("#/components/schemas/")) {
      out[key] = `${base}#/$defs/${value.slice("#/components/schemas/".length)}`;
    } else {
      out[key] = rewriteRefs(value, base);
    }
  }
  return out;
}

function resolveParameter(doc: Json, param: Json): Json {
  const ref = param.$ref;
  if (typeof ref !== "string") return param;
  const name = ref.replace("#/components/parameters/", "");
  const found = (doc.components as Json | undefined)?.parameters as Json | undefined;
  const resolved = found?.[name] as Json | undefined;
  if (!resolved) throw new Error(`unresolved parameter reference ${ref}`);
  return resolved;
}

interface OperationParams {
  exportName: string;
  operationId: string;
  schema: Json;
  /** Which of `path` and `query` the operation has, for its declared type. */
  locations: string[];
}

/** One object schema per operation, whose properties are its path and query parameters. */
function operationParameterSchemas(doc: Json, base: string): OperationParams[] {
  const result: OperationParams[] = [];
  for (const item of Object.values((doc.paths ?? {}) as Json)) {
    for (const op of Object.values(item as Json)) {
      if (!op || typeof op !== "object" || !("operationId" in op)) continue;
      const operation = op as Json;
      const params = ((operation.parameters ?? []) as Json[])
        .map((p) => resolveParameter(doc, p))
        .filter((p) => p.in === "path" || p.in === "query");
      if (params.length === 0) continue;
      const properties: Json = {};
      const required: string[] = [];
      for (const p of params) {
        properties[p.name as string] = rewriteRefs(p.schema, base);
        if (p.required) required.push(p.name as string);
      }
      const operationId = operation.operationId as string;
      result.push({
        exportName: `validate${pascal(operationId)}Parameters`,
        operationId,
        schema: { type: "object", required, properties, additionalProperties: false },
        locations: [...new Set(params.map((p) => p.in as string))].sort(),
      });
    }
  }
  return result;
}

function inlineRuntime(code: string): string {
  return code.replace(/require\("([^"]+)"\)\.default/g, (_match, mod: string) => {
    const inline = RUNTIME_INLINE[mod];
    if (!inline) throw new Error(`the generated validators need ${mod}; add an inline version to RUNTIME_INLINE`);
    return inline;
  });
}

const DTS_TYPES_IMPORT = `import type { components, operations } from "__TYPES__";\n`;

const DTS_SHARED_TYPES = `
/** One problem found by a generated validator (the subset of Ajv's error object these validators produce). */
export interface ValidationIssue {
  /** JSON Pointer to the offending value, such as \`/parameters/flow_cta\`. */
  instancePath: string;
  schemaPath: string;
  /** The JSON Schema keyword that failed, such as \`maxLength\`. */
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  /** The schema that holds the failed keyword, with its \`description\`. */
  parentSchema?: Record<string, unknown>;
  data?: unknown;
}

/** A compiled validator: a type guard that leaves every problem it found in \`errors\`. */
export interface Validator<T> {
  (data: unknown): data is T;
  errors: ValidationIssue[] | null | undefined;
}
`;

/**
 * @param doc the parsed OpenAPI document
 * @param specName its path in the project, for messages
 * @param sharedTypesFrom where an earlier module declares `ValidationIssue` and `Validator`, to import them from
 *   instead of declaring them a second time (the mock contract's module reuses the main contract's)
 * @param responsesOf the operations whose responses get validators too (body per status and media type, headers)
 * @returns the validator module and its declarations
 */
export function buildValidatorModule(
  doc: Json,
  specName: string,
  sharedTypesFrom?: string,
  responsesOf: readonly string[] = [],
): { js: string; dts: string } {
  // Ajv resolves every `$ref` against the schema id as a relative URI, so an id holding a `/` (`mock/inspection/openapi.yaml`)
  // would send `mock/inspection/openapi.yaml#/$defs/X` to `mock/mock/inspection/openapi.yaml`. Each contract gets its own Ajv instance, so
  // the file name alone is a unique id.
  const base = specName.slice(specName.lastIndexOf("/") + 1);
  const schemas = ((doc.components as Json | undefined)?.schemas ?? {}) as Json;
  const ajv = new Ajv2020({
    code: { source: true, esm: true },
    allErrors: true,
    verbose: true,
    strict: true,
  });
  for (const keyword of EXTRA_KEYWORDS) ajv.addKeyword(keyword);
  ajv.addSchema({ $id: base, $defs: rewriteRefs(schemas, base) as Json });

  const exports: Record<string, string> = {};
  const dts: string[] = [
    DTS_TYPES_IMPORT +
      (sharedTypesFrom === undefined
        ? DTS_SHARED_TYPES
        : `import type { Validator } from "${sharedTypesFrom}";\nexport type { ValidationIssue, Validator } from "${sharedTypesFrom}";\n`),
  ];
  for (const name of Object.keys(schemas)) {
    exports[`validate${name}`] = `${base}#/$defs/${name}`;
    dts.push(`/** Checks a value against \`components.schemas.${name}\` of ${specName}. */`);
    dts.push(`export declare const validate${name}: Validator<components["schemas"]["${name}"]>;`);
  }
  for (const op of operationParameterSchemas(doc, base)) {
    const id = `${base}#/operations/${op.operationId}/parameters`;
    ajv.addSchema(op.schema, id);
    exports[op.exportName] = id;
    dts.push(`/** Checks the path and query parameters of \`${op.operationId}\` (${specName}), as one object. */`);
    const parts = op.locations.map((where) => `NonNullable<operations["${op.operationId}"]["parameters"]["${where}"]>`);
    dts.push(`export declare const ${op.exportName}: Validator<${parts.join(" & ")}>;`);
  }
  if (responsesOf.length > 0) dts.push(RESPONSE_TYPES);
  const metadata: string[] = [];
  for (const operationId of responsesOf) {
    const responses = responseContracts(doc, operationId, base, rewriteRefs);
    for (const { id, exportName, schema } of responses.schemas) {
      ajv.addSchema(schema, id);
      exports[exportName] = id;
      dts.push(`/** Checks ${exportName.endsWith("Headers") ? "the headers" : "the body"} of one response of \`${operationId}\` (${specName}). */`);
      dts.push(`export declare const ${exportName}: Validator<${exportName.endsWith("Headers") ? "Record<string, string>" : "unknown"}>;`);
    }
    metadata.push(responses.js);
    dts.push(responses.dts);
  }
  const code = standaloneCode(ajv, exports);
  return { js: `${inlineRuntime(code)}\n${metadata.join("")}`, dts: `${dts.join("\n")}\n` };
}
