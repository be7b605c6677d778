/**
 * The response side of an operation, read off the OpenAPI document for the generated module: per declared status, its
 * body schema (per media type) and its headers as one object schema, with the JSON Pointers into the document that a
 * difference is reported at. `generate-validators.ts` compiles the schemas beside the request validators.
 */
type Json = Record<string, unknown>;

/** A schema Ajv compiles for the responses, under `id`, exported as `exportName`. */
export interface ResponseSchema {
  id: string;
  exportName: string;
  schema: Json;
}

/** What the generated module says of one operation's responses; `validate` and `validateHeaders` name exports. */
interface MediaMeta {
  pointer: string;
  schema?: string;
  properties: string[];
  closed: boolean;
  validate: string;
}
interface HeaderMeta {
  name: string;
  required: boolean;
  pointer: string;
}
interface StatusMeta {
  pointer: string;
  name?: string;
  content: Record<string, MediaMeta>;
  headers: Record<string, HeaderMeta>;
  validateHeaders: string;
}

const pointerSegment = (key: string) => key.replaceAll("~", "~0").replaceAll("/", "~1");

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** Follows a local `$ref` (`#/components/responses/X`) to what it names, with the pointer it names. */
function follow(doc: Json, node: Json, pointer: string): { node: Json; pointer: string; name?: string } {
  const ref = node.$ref;
  if (typeof ref !== "string") return { node, pointer };
  let target: unknown = doc;
  for (const part of ref.slice(2).split("/")) target = (target as Json | undefined)?.[part.replaceAll("~1", "/").replaceAll("~0", "~")];
  if (!target || typeof target !== "object") throw new Error(`unresolved reference ${ref}`);
  return { node: target as Json, pointer: ref, name: ref.slice(ref.lastIndexOf("/") + 1) };
}

/**
 * @param doc the parsed OpenAPI document
 * @param operationId the operation whose responses are compiled
 * @param base the schema id the components are registered under
 * @param rewriteRefs turns `#/components/schemas/X` into references Ajv resolves
 * @returns the schemas to compile, the metadata object's JavaScript source (export names unquoted), and its declaration
 */
export function responseContracts(
  doc: Json,
  operationId: string,
  base: string,
  rewriteRefs: (node: unknown, base: string) => unknown,
): { schemas: ResponseSchema[]; js: string; dts: string } {
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Json)) {
    for (const [method, op] of Object.entries(item as Json)) {
      if ((op as Json | undefined)?.operationId !== operationId) continue;
      const opPointer = `#/paths/${pointerSegment(path)}/${method}`;
      const schemas: ResponseSchema[] = [];
      const statuses: Record<string, StatusMeta> = {};
      for (const [status, raw] of Object.entries(((op as Json).responses ?? {}) as Json)) {
        const response = follow(doc, raw as Json, `${opPointer}/responses/${status}`);
        const content: Record<string, MediaMeta> = {};
        for (const [type, media] of Object.entries((response.node.content ?? {}) as Json)) {
          const schemaNode = ((media as Json).schema ?? {}) as Json;
          const ref = typeof schemaNode.$ref === "string" ? schemaNode.$ref : undefined;
          const named = ref?.startsWith("#/components/schemas/") ? ref.slice("#/components/schemas/".length) : undefined;
          const resolved = follow(doc, schemaNode, `${response.pointer}/content/${pointerSegment(type)}/schema`);
          let validate = `validate${named ?? ""}`;
          if (named === undefined) {
            validate = `validate${pascal(operationId)}${status}Body${Object.keys(content).length || ""}`;
            schemas.push({ id: `${base}#/responses/${operationId}/${status}/${type}`, exportName: validate, schema: rewriteRefs(schemaNode, base) as Json });
          }
          const properties = Object.keys((resolved.node.properties ?? {}) as Json);
          content[type] = { pointer: resolved.pointer, ...(named && { schema: named }), properties, closed: resolved.node.additionalProperties === false, validate };
        }
        const headers: Record<string, HeaderMeta> = {};
        const headerSchema: Json = { type: "object", properties: {}, required: [] as string[] };
        for (const [name, rawHeader] of Object.entries((response.node.headers ?? {}) as Json)) {
          const header = follow(doc, rawHeader as Json, `${response.pointer}/headers/${pointerSegment(name)}`);
          const key = name.toLowerCase();
          headers[key] = { name, required: header.node.required === true, pointer: header.pointer };
          (headerSchema.properties as Json)[key] = rewriteRefs(header.node.schema ?? {}, base);
          if (header.node.required === true) (headerSchema.required as string[]).push(key);
        }
        const validateHeaders = `validate${pascal(operationId)}${status}Headers`;
        schemas.push({ id: `${base}#/responses/${operationId}/${status}/headers`, exportName: validateHeaders, schema: headerSchema });
        statuses[status] = { pointer: response.pointer, ...(response.name && { name: response.name }), content, headers, validateHeaders };
      }
      const meta = { operationId, method: method.toUpperCase(), path, pointer: opPointer, statuses };
      // The validators are referenced by name, so the object holds the functions, not their names.
      const js = JSON.stringify(meta).replace(/"(validate|validateHeaders)":"(validate[A-Za-z0-9]+)"/g, '"$1":$2');
      const exportName = `${operationId}Responses`;
      return {
        schemas,
        js: `export const ${exportName} = ${js};\n`,
        dts: `/** The responses \`${operationId}\` declares (${method.toUpperCase()} ${path}), with their validators. */\n` +
          `export declare const ${exportName}: OperationResponses;`,
      };
    }
  }
  throw new Error(`no operation ${operationId} in the document`);
}

/** Declarations of the response metadata, written once into the module that has responses. */
export const RESPONSE_TYPES = `
/** One media type a response declares: its schema's place in the document and its validator. */
export interface ResponseMediaContract {
  /** JSON Pointer to the schema in the contract, such as \`#/components/schemas/FlowMessageSent\`. */
  pointer: string;
  /** The name under \`components.schemas\`, when the schema is a reference to one. */
  schema?: string;
  /** The properties the schema declares at the top level. */
  properties: string[];
  /** True when the schema refuses undeclared properties (\`additionalProperties: false\`). */
  closed: boolean;
  validate: Validator<unknown>;
}

/** One header a response declares. */
export interface ResponseHeaderContract {
  /** The header's name as the contract writes it, such as \`X-Message-Id\`. */
  name: string;
  required: boolean;
  /** JSON Pointer to the header in the contract. */
  pointer: string;
}

/** One status an operation declares. */
export interface ResponseContract {
  /** JSON Pointer to the response in the contract (\`#/components/responses/Unauthorized\` for a shared one). */
  pointer: string;
  /** The name under \`components.responses\`, when the status refers to one. */
  name?: string;
  content: Record<string, ResponseMediaContract>;
  /** The declared headers, by lower-case name. */
  headers: Record<string, ResponseHeaderContract>;
  /** Checks the headers, as one object of lower-case names. */
  validateHeaders: Validator<Record<string, string>>;
}

/** Every status an operation declares. */
export interface OperationResponses {
  operationId: string;
  method: string;
  path: string;
  /** JSON Pointer to the operation in the contract. */
  pointer: string;
  statuses: Record<string, ResponseContract>;
}
`;
