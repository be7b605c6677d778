import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * Every function, method and constructor that jelou-flow/mock exports is documented: each parameter with @param, an
 * @example (a class's own doc may give it for its constructor), and @throws when its body throws. The public names are
 * read from mock/index.ts, so a new export is held to this without a list to keep up to date.
 */
const MOCK = "mock";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return /\.tsx?$/.test(entry.name) ? [file] : [];
  });
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
}

function publicNames(): Set<string> {
  const names = new Set<string>();
  for (const statement of parse(path.join(MOCK, "index.ts")).statements) {
    const clause = ts.isExportDeclaration(statement) ? statement.exportClause : undefined;
    if (clause !== undefined && ts.isNamedExports(clause)) for (const element of clause.elements) names.add(element.name.text);
  }
  return names;
}

function throwsIn(body: ts.Node | undefined): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (ts.isThrowStatement(node)) found = true;
    // A nested function's throw is its own, not this one's.
    else if (!ts.isFunctionLike(node)) ts.forEachChild(node, visit);
  };
  if (body !== undefined) ts.forEachChild(body, visit);
  return found;
}

type Callable = ts.FunctionDeclaration | ts.MethodDeclaration | ts.ConstructorDeclaration | ts.MethodSignature;

function gaps(node: Callable, name: string, exampleElsewhere: boolean): string[] {
  if (ts.getJSDocCommentsAndTags(node).length === 0) return [`${name}: no JSDoc`];
  const tags = ts.getJSDocTags(node);
  const documented = new Set(tags.filter(ts.isJSDocParameterTag).map((tag) => tag.name.getText()));
  const out = node.parameters
    .map((p) => p.name.getText())
    .filter((param) => !param.startsWith("{") && !documented.has(param))
    .map((param) => `${name}: no @param ${param}`);
  if (!exampleElsewhere && !tags.some((tag) => tag.tagName.text === "example")) out.push(`${name}: no @example`);
  const body = ts.isMethodSignature(node) ? undefined : node.body;
  if (throwsIn(body) && !tags.some((tag) => tag.tagName.text === "throws")) out.push(`${name}: throws without @throws`);
  return out;
}

function isPrivate(member: ts.ClassElement): boolean {
  const modifiers = ts.canHaveModifiers(member) ? (ts.getModifiers(member) ?? []) : [];
  return modifiers.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword);
}

describe("jelou-flow/mock's public API", () => {
  it("documents every exported function, method and constructor", () => {
    const exported = publicNames();
    const found: string[] = [];
    const problems: string[] = [];
    for (const file of sourceFiles(MOCK)) {
      for (const statement of parse(file).statements) {
        const name = (statement as { name?: ts.Identifier }).name?.text;
        if (name === undefined || !exported.has(name)) continue;
        found.push(name);
        if (ts.isFunctionDeclaration(statement)) problems.push(...gaps(statement, name, false));
        if (ts.isClassDeclaration(statement)) {
          const classExample = ts.getJSDocTags(statement).some((tag) => tag.tagName.text === "example");
          for (const member of statement.members) {
            if (isPrivate(member)) continue;
            if (ts.isConstructorDeclaration(member)) problems.push(...gaps(member, `${name} constructor`, classExample));
            if (ts.isMethodDeclaration(member)) problems.push(...gaps(member, `${name}.${member.name.getText()}`, false));
          }
        }
        if (ts.isInterfaceDeclaration(statement)) {
          for (const member of statement.members) {
            if (ts.isMethodSignature(member)) problems.push(...gaps(member, `${name}.${member.name.getText()}`, false));
          }
        }
      }
    }
    expect(found).toEqual(expect.arrayContaining(["createMockJelou", "MockJelou", "Inbox", "Faults", "runMockCli"]));
    expect(problems).toEqual([]);
  });
});
