import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FormattedText } from "../../mock/ui/components/formatted-text.js";
import { toHtml } from "../../mock/ui/page-events.js";
import { parseWhatsAppFormatting } from "../../mock/ui/whatsapp-format.js";

const html = (text: string) => toHtml(<FormattedText text={text} />);

describe("parseWhatsAppFormatting", () => {
  it("recognises bold, italic, strike, inline code and monospace blocks", () => {
    expect(parseWhatsAppFormatting("*b* _i_ ~s~ `c` ```m```")).toEqual([
      { style: "bold", children: ["b"] },
      " ",
      { style: "italic", children: ["i"] },
      " ",
      { style: "strike", children: ["s"] },
      " ",
      { style: "code", children: ["c"] },
      " ",
      { style: "mono", children: ["m"] },
    ]);
  });

  it("nests styles and keeps code literal", () => {
    expect(parseWhatsAppFormatting("*_both_* `*not bold*`")).toEqual([
      { style: "bold", children: [{ style: "italic", children: ["both"] }] },
      " ",
      { style: "code", children: ["*not bold*"] },
    ]);
  });

  it("leaves markers inside words, before spaces, across lines or unmatched as typed", () => {
    for (const text of ["snake_case_name", "2*3*4", "* not bold*", "*not bold *", "*two\nlines*", "a * b", "*open"]) {
      expect(parseWhatsAppFormatting(text)).toEqual([text]);
    }
  });

  it("accepts punctuation next to a marker, as WhatsApp does", () => {
    expect(parseWhatsAppFormatting("(*hi*), _you_!")).toEqual([
      "(",
      { style: "bold", children: ["hi"] },
      "), ",
      { style: "italic", children: ["you"] },
      "!",
    ]);
  });
});

describe("FormattedText", () => {
  it("renders the styles as elements", () => {
    expect(html("*Pick a time* _now_ ~old~ `x`")).toBe("<strong>Pick a time</strong> <em>now</em> <s>old</s> <code>x</code>");
  });

  it("renders markup inside and outside formatting as text", () => {
    expect(html('*<img src=x onerror="alert(1)">* <script>alert(1)</script>')).toBe(
      "<strong>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</strong> &lt;script&gt;alert(1)&lt;/script&gt;",
    );
  });

  it("never lets any text produce an element other than the formatting ones", () => {
    const alphabet = fc.constantFrom("<", ">", "&", '"', "'", "*", "_", "~", "`", " ", "\n", "a", "script", "img", "=", "/");
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }).map((parts) => parts.join("")), (text) => {
        const tagsRemoved = html(text).replace(/<\/?(strong|em|s|code)( class="mono")?>/g, "");
        expect(tagsRemoved).not.toMatch(/[<>]/);
      }),
      { numRuns: 300 },
    );
  });
});
