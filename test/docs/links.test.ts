import { describe, expect, it } from "vitest";
import { checkLinks } from "./check-links.js";
import { docsPages, ROOT } from "./scratch.js";

// Every relative link and image of the docs leads to a file of the repository, and every #anchor to a heading there.
describe("the docs' relative links", () => {
  for (const page of docsPages()) {
    it(`${page}: every relative link and image resolves, with its anchor`, () => {
      const broken = checkLinks(ROOT, page).map(({ line, target, problem }) => `${page}:${line} (${target}): ${problem}`);
      expect(broken).toEqual([]);
    });
  }
});
