import { z } from "zod";

/**
 * The input rules every boundary shares: the API's routes, the OpenAPI document (which is
 * generated from these schemas) and the domain in packages/core, which validates with the very
 * same schemas. Each rule is also written as a JSON Schema `pattern`, so the document says what
 * the API accepts.
 *
 * Names and titles refuse (not strip) control characters (C0 U+0000-U+001F, DEL, C1
 * U+0080-U+009F: NUL, tabs and line breaks included) and the bidirectional embedding, override
 * and isolate characters (U+202A-U+202E, U+2066-U+2069), which can make a name display as
 * something it is not. Refusing tells the person what is wrong; stripping would store a value
 * they never typed. Multi-line text (messages, system prompts, image prompts) keeps tab, line
 * feed and carriage return, and right-to-left writers' direction marks; it refuses the other
 * control characters.
 *
 * Every pattern is linear-time: no quantified group can match the same text two ways.
 */

const CONTROL = "\\u0000-\\u001f\\u007f-\\u009f";
const BIDI = "\\u202a-\\u202e\\u2066-\\u2069";
/**
 * Characters that show nothing in a name: zero-width space, joiners and word joiner, invisible
 * operators, the byte-order mark, the line and paragraph separators, and non-characters
 * (U+FDD0-U+FDEF, U+FFF0-U+FFFF, which also holds the replacement character a broken encoding
 * leaves). "Ad<U+200B>min" would otherwise pass for "Admin".
 */
const INVISIBLE = "\\u200b-\\u200d\\u2060-\\u2064\\ufeff\\u2028\\u2029\\ufdd0-\\ufdef\\ufff0-\\uffff";
/** Control characters other than tab, line feed and carriage return. */
const CONTROL_EXCEPT_LINES = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f";
/** What String.prototype.trim removes, less the control characters (refused anyway). */
const SPACE = " \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff";
/** The same, with the line characters multi-line text keeps. */
const SPACE_AND_LINES = `\\t\\n\\r${SPACE}`;

/** The spaces a one-line value may start or end with (trimmed away): no line separators, no BOM. */
const LINE_SPACE = " \\u00a0\\u1680\\u2000-\\u200a\\u202f\\u205f\\u3000";

/** One line, not blank, without control, text-direction or invisible characters. */
export const SINGLE_LINE_PATTERN = new RegExp(`^[${LINE_SPACE}]*[^${LINE_SPACE}${CONTROL}${BIDI}${INVISIBLE}][^${CONTROL}${BIDI}${INVISIBLE}]*$`);
/** Text that may span lines; not blank. */
export const MULTI_LINE_PATTERN = new RegExp(`^[${SPACE_AND_LINES}]*[^${SPACE_AND_LINES}${CONTROL_EXCEPT_LINES}][^${CONTROL_EXCEPT_LINES}]*$`);
/** Text that may span lines, or be empty. */
export const MULTI_LINE_OR_EMPTY_PATTERN = new RegExp(`^[^${CONTROL_EXCEPT_LINES}]*$`);

const SINGLE_LINE_REFUSED = new RegExp(`[${CONTROL}${BIDI}${INVISIBLE}]`);
const MULTI_LINE_REFUSED = new RegExp(`[${CONTROL_EXCEPT_LINES}]`);

/** "a line break (U+000A)": what a refused character is, for the message. */
function describeCharacter(character: string): string {
  const code = `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
  if (character === "\u0000") return `a NUL character (${code})`;
  if (character === "\t") return `a tab (${code})`;
  if (character === "\n" || character === "\r") return `a line break (${code})`;
  if (/[\u202a-\u202e\u2066-\u2069]/.test(character)) return `a text-direction character (${code})`;
  if (character === "\u2028" || character === "\u2029") return `a line separator (${code})`;
  if (new RegExp(`[${INVISIBLE}]`).test(character)) return `an invisible character (${code})`;
  return `a control character (${code})`;
}

/** The message of a refused value: the first character at fault and its position, or that it is blank. */
function hygieneMessage(field: string, value: unknown, refused: RegExp, blank: string | undefined, multiLine: boolean): string {
  const text = typeof value === "string" ? value : "";
  const match = refused.exec(text);
  if (!match) return blank ?? `The ${field} cannot be blank.`;
  const allowed = multiLine ? "Line breaks and tabs are fine; other invisible control characters are not." : "It must be one line of visible text.";
  return `The ${field} contains ${describeCharacter(match[0])} at position ${[...text.slice(0, match.index)].length + 1}. Remove it and try again. ${allowed}`;
}

function hygienic(options: { field: string; max: number; blank?: string; pattern: RegExp; refused: RegExp; multiLine: boolean; trim: boolean }) {
  const { field, max, blank, pattern, refused, multiLine } = options;
  // The schema's own error map words the pattern's failure from the value itself.
  const base = z.string({
    errorMap: (issue, ctx) =>
      issue.code === "invalid_string" && issue.validation === "regex"
        ? { message: hygieneMessage(field, ctx.data, refused, blank, multiLine) }
        : issue.code === "invalid_type"
          ? { message: ctx.data === undefined ? (blank ?? `Send the ${field}.`) : `Send the ${field} as text.` }
          : { message: ctx.defaultError },
  });
  // The pattern checks the value as sent; trimming happens after it, the length after that.
  const checked = base.regex(pattern);
  return (options.trim ? checked.trim() : checked).max(max, `Keep the ${field} to at most ${thousands(max)} characters.`);
}

/**
 * 100000 as "100,000". Not toLocaleString: these schemas are built when the module loads, in the
 * browser too, and each Intl formatting there cost a phone several milliseconds of the page's start.
 */
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A name or title: one line of visible text, trimmed, 1 to `max` characters. */
export function singleLine(field: string, max: number, blank?: string) {
  return hygienic({ field, max, blank, pattern: SINGLE_LINE_PATTERN, refused: SINGLE_LINE_REFUSED, multiLine: false, trim: true });
}

/** Multi-line text (a message, a prompt): not blank, trimmed, up to `max` characters. */
export function multiLine(field: string, max: number, blank?: string) {
  return hygienic({ field, max, blank, pattern: MULTI_LINE_PATTERN, refused: MULTI_LINE_REFUSED, multiLine: true, trim: true });
}

/** Multi-line text that may be empty (a system prompt); kept as written. */
export function multiLineOrEmpty(field: string, max: number) {
  return hygienic({ field, max, pattern: MULTI_LINE_OR_EMPTY_PATTERN, refused: MULTI_LINE_REFUSED, multiLine: true, trim: false });
}

/** Removes what names refuse; for names Tandem does not get from a person (e.g. an identity provider's profile). */
export function stripUnsafe(text: string): string {
  return text.replace(new RegExp(`[${CONTROL}${BIDI}${INVISIBLE}]+`, "g"), " ").replace(/ {2,}/g, " ").trim();
}

/**
 * zod's email rule (z.string().email()), spelled out so the OpenAPI document carries it, with the
 * lengths mail servers enforce: a dot-atom local part of at most 64 characters, and a domain of
 * labels (letters, digits, inner hyphens; at most 63 characters each) ending in a top-level domain
 * of 2-63 letters. zod's own rule let a 200-letter label through, an address no mail can reach.
 */
export const EMAIL_PATTERN = /^(?!\.)(?!.*\.\.)(?=[^@]{1,64}@)[A-Za-z0-9_'+.-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

/**
 * An email address as Tandem stores and compares it: Unicode NFC, trimmed and lower-cased, so
 * "Ada@Example.com " and "ada@example.com" are one account (and a Kelvin sign K is a K).
 */
export const Email = z.preprocess(
  (value) => (typeof value === "string" ? value.normalize("NFC").trim().toLowerCase().normalize("NFC") : value),
  z
    .string({ invalid_type_error: "Send the email address as text.", required_error: "Enter your email address." })
    .max(254, "An email address has at most 254 characters.")
    .regex(EMAIL_PATTERN, "Enter an email address such as ada@example.com.")
    .describe("An email address"),
);

/** What every password follows; an upper bound keeps a megabyte "password" from being an expensive request. */
export const Password = z
  .string()
  .min(10, "Use at least 10 characters; a few unrelated words make a strong, memorable password")
  .max(256, "Use at most 256 characters");

/** The password a person types to prove it is them (its length was checked when it was set). */
export const CurrentPassword = z.string().min(1, "Enter your password").max(256, "Use at most 256 characters");

/** A MongoDB ObjectId as the API shows it: 24 lower-case hexadecimal digits. */
export const ObjectIdString = z.string().regex(/^[0-9a-f]{24}$/, "Use an id as the API returned it: 24 hexadecimal digits.");

export const PersonName = singleLine("name", 120, "Tell us your name");
export const OrganisationName = singleLine("organisation name", 120, "Give the organisation a name");
export const OrganisationSlug = z
  .string()
  .regex(/^ *[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}[A-Za-z0-9])? *$/, "Use 1-40 lowercase letters, digits and hyphens, e.g. acme-corp")
  .trim()
  .toLowerCase()
  .describe("1-40 lowercase letters, digits and hyphens; not starting or ending with a hyphen");
export const NotebookTitle = singleLine("notebook title", 200, "Give the notebook a title");
export const ApiKeyName = singleLine("API key name", 80, "Name the key after what uses it, e.g. nightly export");
export const FileName = singleLine("file name", 255, "Give the file a name");
export const MessageText = multiLine("message", 100_000, "Write a message first");
export const SystemPrompt = multiLineOrEmpty("system prompt", 20_000);
export const ImagePrompt = multiLine("image description", 1024, "Describe the image");
/** A Bedrock model id or inference profile, as the model list shows it. */
export const ModelId = z.string().min(1, "Choose a model from the model list").max(200, "Use a model id from the model list");
