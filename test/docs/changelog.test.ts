/**
 * CHANGELOG.md keeps the Keep a Changelog form: "Unreleased" on top, then releases newest first, each with its date and
 * only the section names of that form; the newest release is the version in package.json.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url);
const changelog = readFileSync(new URL("CHANGELOG.md", root), "utf8");
const { version } = JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as { version: string };
const releases = [...changelog.matchAll(/^## (\S+)(?: - (\d{4}-\d{2}-\d{2}))?$/gm)].map(([, name, date]) => ({ name, date }));

describe("CHANGELOG.md", () => {
  it("starts with Unreleased, then the version of package.json", () => {
    expect(releases[0]).toEqual({ name: "Unreleased", date: undefined });
    expect(releases[1]?.name).toBe(version);
  });

  it("lists releases newest first, each with a date", () => {
    const dated = releases.slice(1);
    for (const release of dated) expect(release.date, release.name).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const order = dated.map((r) => r.name!.split(".").map(Number));
    const sorted = [...order].sort((a, b) => b[0]! - a[0]! || b[1]! - a[1]! || b[2]! - a[2]!);
    expect(order).toEqual(sorted);
  });

  it("uses only the section names of Keep a Changelog", () => {
    const sections = [...changelog.matchAll(/^### (.+)$/gm)].map(([, name]) => name);
    const allowed = ["Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"];
    expect(sections.filter((name) => !allowed.includes(name!))).toEqual([]);
  });
});
