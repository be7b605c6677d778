import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHtml } from "../../mock/page/inbox-page.js";
import { FormattedText } from "../../mock/page/whatsapp-format.js";

const html = (text: string) => toHtml(<FormattedText text={text} />);

describe("WhatsApp formatting", () => {
  it("renders bold, italic, strike, inline code and monospace blocks as elements", () => {
    expect(html("*b* _i_ ~s~ `c` ```m```")).toBe('<strong>b</strong> <em>i</em> <s>s</s> <code>c</code> <code class="mono">m</code>');
  });

  it("renders a sentence with several styles", () => {
    expect(html("*Pick a time* _now_ ~old~ `x`")).toBe("<strong>Pick a time</strong> <em>now</em> <s>old</s> <code>x</code>");
  });

  it("nests styles and keeps code literal", () => {
    expect(html("*_both_* `*not bold*`")).toBe("<strong><em>both</em></strong> <code>*not bold*</code>");
  });

  it("leaves markers inside words, before spaces, across lines or unmatched as typed", () => {
    for (const text of ["snake_case_name", "2*3*4", "* not bold*", "*not bold *", "*two\nlines*", "a * b", "*open"]) {
      expect(html(text)).toBe(text);
    }
  });

  it("accepts punctuation next to a marker, as WhatsApp does", () => {
    expect(html("(*hi*), _you_!")).toBe("(<strong>hi</strong>), <em>you</em>!");
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
