/** A small, strict flag parser shared by the CLI commands: unknown flags are errors, not ignored. */
export interface FlagSpec {
  readonly [flag: string]: 'boolean' | 'string' | 'number' | 'string[]';
}

export interface ParsedArgs {
  readonly positional: string[];
  readonly flags: Record<string, string | number | boolean | string[] | undefined>;
}

export class UsageError extends Error {}

export function parseArgs(args: readonly string[], spec: FlagSpec): ParsedArgs {
  const positional: string[] = [];
  const flags: Record<string, string | number | boolean | string[] | undefined> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const kind = spec[name];
    if (!kind) throw new UsageError(`unknown option --${name}`);
    if (kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    if (kind === 'number') {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} needs a number, got '${value}'`);
      flags[name] = n;
    } else if (kind === 'string[]') {
      const list = (flags[name] as string[] | undefined) ?? [];
      list.push(...value.split(',').filter((s) => s.length > 0));
      flags[name] = list;
    } else {
      flags[name] = value;
    }
  }
  return { positional, flags };
}
