import {
  API_KEY_SCOPES as CONTRACT_SCOPES,
  CreateApiKeyRequest,
  CreateOrganisationRequest,
  Email,
  KNOWLEDGE_FILE_TYPES,
  MAX_KNOWLEDGE_FILE_BYTES as CONTRACT_MAX_BYTES,
  ROLES as CONTRACT_ROLES,
  SignUpRequest,
  UploadRequest,
} from "@tandem/client/contract";
import { ApiKeyInput, API_KEY_SCOPES, ChangeEmailInput, SignInInput, SignUpInput } from "@tandem/core/identity";
import { KNOWLEDGE_TYPES, MAX_KNOWLEDGE_FILE_BYTES } from "@tandem/core/knowledge";
import { ImageInput } from "@tandem/core/images";
import { MessageInput, NotebookInput } from "@tandem/core/notebooks";
import { InviteInput, ROLES, TenantInput } from "@tandem/core/tenants";
import { describe, expect, it } from "vitest";
import type { z } from "zod";

/** The first issue's message, or "ok". */
function verdict(schema: z.ZodTypeAny, value: unknown): string {
  const result = schema.safeParse(value);
  return result.success ? "ok" : `${result.error.issues[0]!.path.join(".")}: ${result.error.issues[0]!.message}`;
}

const UNSAFE = {
  nul: "Ada\u0000Lovelace",
  escape: "Ada\u001b[31m",
  newline: "Ada\nLovelace",
  tab: "Ada\tLovelace",
  c1: "Ada\u0085Lovelace",
  del: "Ada\u007f",
  rtlOverride: "invoice\u202Efdp.exe",
  isolate: "Ada\u2066x\u2069",
  zeroWidthSpace: "Ad\u200bmin",
  zeroWidthJoiner: "Ad\u200dmin",
  byteOrderMark: "Ad\ufeffmin",
  lineSeparator: "Ada\u2028Lovelace",
  paragraphSeparator: "Ada\u2029Lovelace",
  nonCharacter: "Ada\uffff",
  replacementCharacter: "Ada\ufffd",
};

describe("names and titles refuse control and text-direction characters, naming the field", () => {
  const fields: [string, z.ZodTypeAny, (v: string) => unknown, string][] = [
    ["account name", SignUpInput, (name) => ({ email: "ada@example.com", name, password: "a long enough passphrase" }), "name"],
    ["organisation name", TenantInput, (name) => ({ name, slug: "acme" }), "organisation name"],
    ["notebook title", NotebookInput, (title) => ({ title }), "notebook title"],
    ["API key name", ApiKeyInput, (name) => ({ name }), "API key name"],
    ["file name", UploadRequest, (name) => ({ name, type: "text/plain", size: 10 }), "file name"],
  ];
  for (const [label, schema, input, field] of fields) {
    it(`${label}: every unsafe character is refused with a message that names the field and the character`, () => {
      for (const [kind, value] of Object.entries(UNSAFE)) {
        const message = verdict(schema, input(value));
        expect(message, `${label} / ${kind}`).toContain(`The ${field} contains`);
        expect(message, `${label} / ${kind}`).toMatch(/\(U\+[0-9A-F]{4}\) at position \d+\. Remove it/);
      }
      expect(verdict(schema, input("Ada Lovelace – 数学者 (١٨١٥) 🚀"))).toBe("ok");
    });
  }

  it("says which character and where: a NUL, a line break, a text-direction override", () => {
    expect(verdict(SignUpInput, { email: "a@b.co", name: "Ada\u0000", password: "a long enough passphrase" })).toBe(
      "name: The name contains a NUL character (U+0000) at position 4. Remove it and try again. It must be one line of visible text.",
    );
    expect(verdict(NotebookInput, { title: "Plan\nB" })).toContain("a line break (U+000A) at position 5");
    expect(verdict(TenantInput, { name: "\u202EAcme", slug: "acme" })).toContain("a text-direction character (U+202E) at position 1");
  });

  it("a blank name still gets its own message", () => {
    expect(verdict(SignUpInput, { email: "a@b.co", name: "   ", password: "a long enough passphrase" })).toBe("name: Tell us your name");
    expect(verdict(NotebookInput, { title: " " })).toBe("title: Give the notebook a title");
  });

  it("multi-line text keeps tabs and line breaks but refuses NUL and other control characters", () => {
    expect(verdict(MessageInput, { text: "line one\n\tline two\r\nthree" })).toBe("ok");
    expect(verdict(NotebookInput, { systemPrompt: "Be brief.\nCite sources." })).toBe("ok");
    expect(verdict(NotebookInput, { systemPrompt: "" })).toBe("ok");
    expect(verdict(MessageInput, { text: "hi\u0000there" })).toContain("The message contains a NUL character (U+0000) at position 3");
    expect(verdict(NotebookInput, { systemPrompt: "x\u001b[2J" })).toContain("The system prompt contains a control character (U+001B)");
    expect(verdict(ImageInput, { prompt: "a cat\u0007" })).toContain("The image description contains");
    // Right-to-left writers use direction marks in prose; only names refuse them.
    expect(verdict(MessageInput, { text: "\u2067שלום\u2069 world" })).toBe("ok");
  });

  it("the patterns stay linear on a megabyte of hostile input", () => {
    const started = performance.now();
    for (const text of [" ".repeat(1_000_000), `${" ".repeat(1_000_000)}\u0000`, `a${"\u00a0".repeat(1_000_000)}\u0000`]) {
      SignUpInput.safeParse({ email: `${"a".repeat(1_000_000)}@`, name: text, password: "x" });
      MessageInput.safeParse({ text });
    }
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe("emails are NFC, trimmed and lower-cased wherever they enter", () => {
  it("normalises case, surrounding space and Unicode composition", () => {
    expect(Email.parse("  Ada.Lovelace@Example.COM ")).toBe("ada.lovelace@example.com");
    // U+212A KELVIN SIGN is canonically a K: NFC makes it one, lower-casing a k.
    expect(Email.parse("\u212Aate@example.com")).toBe("kate@example.com");
  });

  it("sign-up, sign-in, change of address and invitations all apply the same rule", () => {
    const shouted = " ADA@EXAMPLE.COM";
    expect(SignUpInput.parse({ email: shouted, name: "Ada", password: "a long enough passphrase" }).email).toBe("ada@example.com");
    expect(SignInInput.parse({ email: shouted, password: "x" }).email).toBe("ada@example.com");
    expect(ChangeEmailInput.parse({ email: shouted, password: "x" }).email).toBe("ada@example.com");
    expect(InviteInput.parse({ email: shouted }).email).toBe("ada@example.com");
  });

  it("refuses what is not an address, saying what to enter", () => {
    expect(verdict(Email, "ada@")).toBe(": Enter an email address such as ada@example.com.");
    expect(verdict(Email, "ada\u0000@example.com")).toBe(": Enter an email address such as ada@example.com.");
    expect(verdict(Email, 42)).toBe(": Send the email address as text.");
  });
});

describe("core validates with the contract's schemas, so the API, its document and the domain agree", () => {
  it("is the same schema object, not a copy", () => {
    expect(SignUpInput).toBe(SignUpRequest);
    expect(TenantInput).toBe(CreateOrganisationRequest);
    expect(ApiKeyInput).toBe(CreateApiKeyRequest);
  });

  it("the contract's lists match core's (roles, API key scopes, knowledge file types and size)", () => {
    expect([...CONTRACT_ROLES].sort()).toEqual([...ROLES].sort());
    expect([...CONTRACT_SCOPES]).toEqual([...API_KEY_SCOPES]);
    expect([...KNOWLEDGE_FILE_TYPES].sort()).toEqual(Object.keys(KNOWLEDGE_TYPES).sort());
    expect(CONTRACT_MAX_BYTES).toBe(MAX_KNOWLEDGE_FILE_BYTES);
  });
});
