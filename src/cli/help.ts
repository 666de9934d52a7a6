/**
 * Help text in cobra's layout, so `ollama --help` and `ollama run --help` look as they do in
 * Ollama: Usage, Aliases, Available Commands, Flags (pflag's column alignment), and the
 * `Environment Variables:` section (6 spaces, name padded to 27, 3 spaces, description).
 */
import { COMMANDS, ENV_DESCRIPTIONS, ROOT_FLAGS, type CommandSpec, type FlagSpec } from './spec.js';

/** pflag's FlagUsages: `  -s, --name type` left column, usage two spaces past the longest. */
export function flagUsages(flags: FlagSpec[]): string {
  const visible = [...flags].filter((f) => !f.hidden).sort((a, b) => a.name.localeCompare(b.name));
  const lefts = visible.map((f) => {
    let line = f.short ? `  -${f.short}, --${f.name}` : `      --${f.name}`;
    if (f.type) line += f.optionalValue ? `[=${f.type === 'string' ? 'true' : f.type}]` : ` ${f.type}`;
    return line;
  });
  const max = Math.max(0, ...lefts.map((l) => l.length));
  return visible
    .map((f, i) => {
      const left = lefts[i]!;
      const usage = f.usage + (f.defaultText ? ` (default ${f.defaultText})` : '');
      return `${left} ${' '.repeat(max - left.length)} ${usage}\n`;
    })
    .join('');
}

function envSection(names: string[]): string {
  if (names.length === 0) return '';
  const lines = names.map((n) => `      ${n.padEnd(27)}   ${ENV_DESCRIPTIONS[n] ?? ''}\n`).join('');
  return `\nEnvironment Variables:\n${lines}`;
}

export function rootHelp(): string {
  const visible = COMMANDS.filter((c) => !c.hidden);
  const pad = Math.max(11, ...visible.map((c) => c.name.length));
  const cmds = [...visible.map((c) => [c.name, c.short] as const), ['help', 'Help about any command'] as const]
    .map(([n, s]) => `  ${n.padEnd(pad)} ${s}\n`)
    .join('');
  return (
    'Large language model runner\n\n' +
    'Usage:\n  ollama [flags]\n  ollama [command]\n\n' +
    'Available Commands:\n' +
    cmds +
    '\nFlags:\n' +
    flagUsages(ROOT_FLAGS) +
    '\nUse "ollama [command] --help" for more information about a command.\n'
  );
}

export function commandHelp(spec: CommandSpec): string {
  const flags: FlagSpec[] = [...spec.flags, { name: 'help', short: 'h', usage: `help for ${spec.name}` }];
  let out = `${spec.short}\n\nUsage:\n  ollama ${spec.use}${spec.flags.length >= 0 ? ' [flags]' : ''}\n`;
  if (spec.aliases?.length) out += `\nAliases:\n  ${[spec.name, ...spec.aliases].join(', ')}\n`;
  out += `\nFlags:\n${flagUsages(flags)}`;
  out += envSection(spec.env);
  return out;
}
