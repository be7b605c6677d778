/**
 * CHANGELOG.md keeps the Keep a Changelog form: "Unreleased" on top, then releases newest first, each `X.Y.Z - date`
 * with a real date, no version twice, and only the section names of that form; the newest is package.json's version.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url);
const changelog = readFileSync(new URL("CHANGELOG.md", root), "utf8");
const { version } = JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as { version: string };
const headings = [...changelog.matchAll(/^## (.*)$/gm)].map(([, text]) => text!);
const RELEASE = /^(\d+)\.(\d+)\.(\d+) - (\d{4}-\d{2}-\d{2})$/;

describe("CHANGELOG.md", () => {
  it("starts with Unreleased, then the version of package.json", () => {
    expect(headings[0]).toBe("Unreleased");
    expect(headings[1]?.split(" - ")[0]).toBe(version);
  });

  it("titles every release `X.Y.Z - YYYY-MM-DD` with a real date, newest first, no version twice", () => {
    const releases = headings.slice(1);
    expect(releases.filter((heading) => !RELEASE.test(heading))).toEqual([]);
    const parsed = releases.map((heading) => {
      const [, major, minor, patch, date] = RELEASE.exec(heading)!;
      return { parts: [major, minor, patch].map(Number), date: date! };
    });
    for (const { date } of parsed) expect(new Date(`${date}T00:00:00Z`).toISOString().startsWith(date)).toBe(true);
    for (let i = 1; i < parsed.length; i++) {
      const [newer, older] = [parsed[i - 1]!, parsed[i]!];
      const order = newer.parts.map((n, k) => n - older.parts[k]!).find((d) => d !== 0) ?? 0;
      expect(order, `${releases[i - 1]} before ${releases[i]}`).toBeGreaterThan(0);
      expect(newer.date >= older.date, `${releases[i - 1]} dated before ${releases[i]}`).toBe(true);
    }
  });

  it("uses only the section names of Keep a Changelog", () => {
    const sections = [...changelog.matchAll(/^### (.+)$/gm)].map(([, name]) => name);
    const allowed = ["Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"];
    expect(sections.filter((name) => !allowed.includes(name!))).toEqual([]);
  });
});
