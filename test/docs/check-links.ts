import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { anchorsOf, isAbsolute, linksOf } from "./markdown.js";

/** A relative link or image that does not lead where it says, with what is missing. */
export interface BrokenLink {
  page: string;
  line: number;
  target: string;
  problem: string;
}

/** The paths among `paths` (relative to `root`) that git ignores: they exist here but not in a clone. */
function ignoredPaths(root: string, paths: readonly string[]): Set<string> {
  if (paths.length === 0) return new Set();
  const result = spawnSync("git", ["check-ignore", "--stdin"], { cwd: root, input: paths.join("\n"), encoding: "utf8" });
  if (result.status !== 0 && result.status !== 1) throw new Error(`git check-ignore failed: ${result.stderr}`);
  return new Set(result.stdout.split("\n").filter(Boolean));
}

/**
 * Checks every relative link and image of `page` (a path relative to `root`): the file or folder exists in the
 * repository and git does not ignore it, and an `#anchor` into a Markdown file is one of its headings' GitHub slugs
 * or an `<a id>`. Links with a scheme (`https:`, `mailto:`) are not fetched.
 */
export function checkLinks(root: string, page: string): BrokenLink[] {
  const markdown = readFileSync(join(root, page), "utf8");
  const broken: BrokenLink[] = [];
  const resolved: { line: number; target: string; path: string; anchor: string }[] = [];
  for (const { line, target } of linksOf(markdown)) {
    if (isAbsolute(target)) continue;
    const [rawPath = "", rawAnchor] = target.split("#", 2) as [string, string | undefined];
    let pathPart: string;
    let anchor: string;
    try {
      pathPart = decodeURI(rawPath.split("?")[0] ?? "");
      anchor = rawAnchor === undefined ? "" : decodeURIComponent(rawAnchor);
    } catch {
      broken.push({ page, line, target, problem: "it is not a well-formed URL (a stray %?)" });
      continue;
    }
    const path = pathPart === "" ? page : relative(root, pathPart.startsWith("/") ? join(root, pathPart) : resolve(root, dirname(page), pathPart));
    if (path.startsWith("..") || path.startsWith(sep)) {
      broken.push({ page, line, target, problem: "it leads outside the repository" });
      continue;
    }
    if (!existsSync(join(root, path))) {
      broken.push({ page, line, target, problem: `there is no ${path} in the repository` });
      continue;
    }
    resolved.push({ line, target, path: path || ".", anchor });
  }
  const ignored = ignoredPaths(root, [...new Set(resolved.map((r) => r.path))]);
  const anchors = new Map<string, Set<string>>();
  for (const { line, target, path, anchor } of resolved) {
    if (ignored.has(path)) {
      broken.push({ page, line, target, problem: `${path} is ignored by git, so a clone or GitHub does not have it` });
      continue;
    }
    if (!anchor || !/\.md$/i.test(path) || statSync(join(root, path)).isDirectory()) continue;
    if (!anchors.has(path)) anchors.set(path, anchorsOf(readFileSync(join(root, path), "utf8")));
    if (!anchors.get(path)?.has(anchor.toLowerCase())) {
      broken.push({ page, line, target, problem: `${path} has no heading or <a id> whose anchor is #${anchor}` });
    }
  }
  return broken.sort((a, b) => a.line - b.line);
}
