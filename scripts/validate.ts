// Checks of the settings of predict, eval, sample and chat. Each script runs them before it reads
// any model or data, so a bad value fails at once, in one line naming the flag and the value
// (a batch size of 0 used to hang predict and eval forever).

/** What a setting must be: a kind of number, or one of a list of words. */
export type Rule = 'positive integer' | 'non-negative integer' | 'non-negative number' | 'number from 0 to 1' | readonly string[];

const NUMBER_RULES: Record<string, (v: number) => boolean> = {
  'positive integer': (v) => Number.isInteger(v) && v >= 1,
  'non-negative integer': (v) => Number.isInteger(v) && v >= 0,
  'non-negative number': (v) => Number.isFinite(v) && v >= 0,
  'number from 0 to 1': (v) => Number.isFinite(v) && v >= 0 && v <= 1,
};

/** Throw `script: --key must be ..., got value` for the first setting that breaks its rule. */
export function validateSettings(script: string, cfg: object, rules: Record<string, Rule>): void {
  const values = cfg as Record<string, unknown>;
  for (const [key, rule] of Object.entries(rules)) {
    const v = values[key];
    if (typeof rule !== 'string') {
      if (!rule.includes(String(v))) throw new Error(`${script}: --${key} must be one of ${rule.join(', ')}, got '${v}'`);
    } else if (typeof v !== 'number' || !NUMBER_RULES[rule](v)) throw new Error(`${script}: --${key} must be a ${rule}, got ${v}`);
  }
}
