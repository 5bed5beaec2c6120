import { ConfigError, type ErrorIssue } from "../errors/index.js";
import { howToSet, settingNamed, type Setting } from "./settings.js";

export type Source = Readonly<Record<string, string | undefined>>;

/** Collects every problem before failing, so one run names all of them. */
export class IssueCollector {
  readonly issues: ErrorIssue[] = [];
  constructor(private readonly stage: string) {}

  missing(setting: Setting, why = ""): void {
    this.issues.push({
      name: setting.name,
      message: `${setting.name} is missing${why}. It is the ${setting.purpose}. Set it with: ${howToSet(setting, this.stage)}`,
    });
  }

  malformed(setting: Setting, problem: string): void {
    this.issues.push({
      name: setting.name,
      message: `${setting.name} ${problem}. It is the ${setting.purpose}. Set it with: ${howToSet(setting, this.stage)}`,
    });
  }

  custom(name: string, message: string): void {
    this.issues.push({ name, message });
  }

  throwIfAny(what: string): void {
    if (this.issues.length === 0) return;
    const lines = this.issues.map((i) => `  - ${i.message}`).join("\n");
    throw new ConfigError(`${what} of stage "${this.stage}" are not valid:\n${lines}`, this.issues);
  }
}

/** A blank value counts as unset: Seed and shells often export empty strings. */
export function present(source: Source, name: string): string | undefined {
  const value = source[name];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
}

export function parseSetting<T>(source: Source, name: string, issues: IssueCollector): T | undefined {
  const setting = settingNamed(name);
  const raw = present(source, name);
  if (raw === undefined) return undefined;
  const result = setting.schema.safeParse(raw);
  if (!result.success) {
    issues.malformed(setting, result.error.issues.map((i) => i.message).join("; "));
    return undefined;
  }
  return result.data as T;
}
