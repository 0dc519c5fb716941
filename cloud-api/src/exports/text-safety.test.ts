import fc from "fast-check";
import { SaxesParser } from "saxes";
import { describe, expect, it } from "vitest";
import { csvField, safeJson, spreadsheetCell, xmlText } from "./text-safety.js";

// SSIDs are up to 32 arbitrary bytes; the edge keeps undecodable bytes as `\xHH` text, so any JS string
// (lone surrogates included) can reach an export.
const HOSTILE = [
  '"quoted", and, commas',
  "<script>alert(1)</script>",
  "]]><evil/>",
  "nul\u0000byte",
  "bell\u0007\u001b[31m",
  "\u202Egnp.exe",
  "line\r\nbreak",
  '=HYPERLINK("http://x")',
  "+cmd|' /C calc'!A0",
  "-2+3",
  "@SUM(A1)",
  "\tTAB",
  "\rCR",
  "lone \uD800 surrogate",
  "caf\\xc3 escaped",
];

function parseXml(text: string): string {
  let out = "";
  const parser = new SaxesParser();
  parser.on("text", (t) => {
    out += t;
  });
  parser.write(`<r>${text}</r>`).close();
  return out;
}

describe("xmlText", () => {
  it("gives well-formed XML 1.0 for every hostile name, keeping what XML can hold", () => {
    for (const name of HOSTILE) expect(() => parseXml(xmlText(name))).not.toThrow();
    expect(parseXml(xmlText("]]><evil/> & 'x'"))).toBe("]]><evil/> & 'x'");
    expect(xmlText("nul\u0000byte")).toBe("nul[U+0000]byte");
    expect(xmlText("\u202Egnp.exe")).toBe("[U+202E]gnp.exe");
  });

  it("never yields text a strict XML parser refuses (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (name) => {
        parseXml(xmlText(name));
      }),
    );
  });
});

describe("safeJson", () => {
  it("round-trips through JSON.parse and leaves no raw control or bidi character in the text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (name) => {
        const text = safeJson({ name });
        expect(JSON.parse(text).name).toBe(name);
        expect(text).not.toMatch(/[\u0000-\u001f\u202a-\u202e\u2066-\u2069\u2028\u2029]/);
      }),
    );
  });
});

describe("spreadsheetCell", () => {
  it("neutralises every formula trigger (OWASP) and keeps other text as is", () => {
    for (const lead of ["=", "+", "-", "@", "\t", "\r"]) {
      const cell = spreadsheetCell(`${lead}1+1`);
      expect(cell.replace(/^"/, "").startsWith("'")).toBe(true);
    }
    expect(spreadsheetCell("CafeNet")).toBe("CafeNet");
    expect(spreadsheetCell('a "b", c')).toBe('"a ""b"", c"');
    expect(spreadsheetCell("\u202Eabc")).toBe("[U+202E]abc");
  });
});

describe("csvField", () => {
  it("quotes only what RFC 4180 needs and doubles quotes", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
  });
});
