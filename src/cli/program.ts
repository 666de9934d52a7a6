/**
 * The `ollama` program (main.ts runs it). Builds a commander program from the command table in
 * spec.ts, with cobra's help layout, argument checks and error texts, and Ollama's convention
 * that any error prints `Error: <message>` on stderr and exits 1. Command code is imported lazily.
 */
import { Command, CommanderError, Option } from 'commander';
import { COMMANDS, findCommand, type ArgRule, type CommandFlags, type CommandSpec } from './spec.js';
import { commandHelp, rootHelp } from './help.js';
import { hintFor } from './hints.js';

export class UsageError extends Error {}

export function checkArgs(rule: ArgRule, args: string[]): void {
  switch (rule.kind) {
    case 'exact':
      if (args.length !== rule.n) throw new UsageError(`accepts ${rule.n} arg(s), received ${args.length}`);
      return;
    case 'min':
      if (args.length < rule.n) throw new UsageError(`requires at least ${rule.n} arg(s), only received ${args.length}`);
      return;
    case 'max':
      if (args.length > rule.n) throw new UsageError(`accepts at most ${rule.n} arg(s), received ${args.length}`);
      return;
    case 'any':
      return;
  }
}

/**
 * cobra/pflag accept `--flag=false` for booleans and a bare `--think` for flags with an optional
 * value; commander does neither, so rewrite those forms before parsing.
 */
export function normalizeArgv(spec: CommandSpec, argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    const flag = m ? spec.flags.find((f) => f.name === m[1]) : undefined;
    if (flag && !flag.type && m![2] !== undefined) {
      const v = m![2].toLowerCase();
      if (['1', 't', 'true'].includes(v)) out.push(`--${flag.name}`);
      else if (['0', 'f', 'false'].includes(v)) out.push(`--no-${flag.name}`);
      else throw new UsageError(`invalid argument "${m![2]}" for "--${flag.name}" flag: strconv.ParseBool: parsing "${m![2]}": invalid syntax`);
    } else if (flag?.optionalValue && m![2] === undefined) {
      out.push(`--${flag.name}=true`);
    } else out.push(a);
  }
  return out;
}

function buildCommand(spec: CommandSpec, result: { spec?: CommandSpec; args?: string[]; flags?: CommandFlags }): Command {
  const cmd = new Command(spec.name);
  if (spec.aliases) cmd.aliases(spec.aliases);
  cmd.argument('[args...]').allowExcessArguments(true).helpOption('-h, --help');
  for (const f of spec.flags) {
    const flags = `${f.short ? `-${f.short}, ` : ''}--${f.name}${f.type ? ` <${f.type}>` : ''}`;
    cmd.addOption(new Option(flags, f.usage));
    if (!f.type) cmd.addOption(new Option(`--no-${f.name}`).hideHelp());
  }
  cmd.helpInformation = () => commandHelp(spec);
  cmd.action((args: string[], opts: CommandFlags) => {
    result.spec = spec;
    result.args = args;
    result.flags = opts;
  });
  return cmd;
}

function translateCommanderError(err: CommanderError): string {
  const msg = err.message.replace(/^error: /, '');
  let m: RegExpExecArray | null;
  if ((m = /^unknown option '(-[^-])(.*)'/.exec(msg))) return `unknown shorthand flag: '${m[1]![1]}' in ${m[1]}${m[2]}`;
  if ((m = /^unknown option '([^']+)'/.exec(msg))) return `unknown flag: ${m[1]!.split('=')[0]}`;
  if ((m = /^option '(?:-\w, )?(--[\w-]+)[^']*' argument missing/.exec(msg))) return `flag needs an argument: ${m[1]}`;
  if ((m = /^unknown command '([^']+)'/.exec(msg))) return `unknown command "${m[1]}" for "ollama"`;
  return msg;
}

/** Runs the CLI; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const rest = argv.slice(2);
  const first = rest[0];

  if (first === undefined) {
    process.stdout.write(rootHelp());
    return 0;
  }
  if (first === '-v' || first === '--version') {
    const { run } = await import('./version.js');
    await run();
    return 0;
  }
  if (first === '-h' || first === '--help') {
    process.stdout.write(rootHelp());
    return 0;
  }
  if (first === 'help') {
    const target = rest[1] ? findCommand(rest[1]) : undefined;
    if (rest[1] && !target) {
      process.stdout.write(`Unknown help topic [\`${rest[1]}\`]\n${rootHelp()}`);
      return 0;
    }
    process.stdout.write(target ? commandHelp(target) : rootHelp());
    return 0;
  }
  if (first.startsWith('-')) {
    // Root flags other than help/version (e.g. --verbose) without a command: show help.
    const known = ['--verbose', '--nowordwrap'];
    if (!known.includes(first.split('=')[0]!)) return fail(first.startsWith('--') ? `unknown flag: ${first.split('=')[0]}` : `unknown shorthand flag: '${first[1]}' in ${first}`);
    process.stdout.write(rootHelp());
    return 0;
  }

  const spec = findCommand(first);
  if (!spec) return fail(`unknown command "${first}" for "ollama"`);

  const result: { spec?: CommandSpec; args?: string[]; flags?: CommandFlags } = {};
  const program = new Command('ollama');
  program.exitOverride().configureOutput({ writeErr: () => {}, writeOut: (s) => process.stdout.write(s) });
  const cmd = buildCommand(spec, result);
  cmd.exitOverride().configureOutput({ writeErr: () => {}, writeOut: (s) => process.stdout.write(s) });
  program.addCommand(cmd);
  try {
    await program.parseAsync([first, ...normalizeArgv(spec, rest.slice(1))], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help') return 0;
      return fail(translateCommanderError(err));
    }
    if (err instanceof UsageError) return fail(err.message);
    throw err;
  }
  if (!result.spec) return 0;
  try {
    checkArgs(spec.args, result.args ?? []);
    if (!spec.noServer) {
      const { ensureServer } = await import('./connect.js');
      await ensureServer();
    }
    const mod = await spec.load();
    const code = await mod.run(result.args ?? [], result.flags ?? {});
    return typeof code === 'number' ? code : 0;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return fail(message, hintFor(spec.name, message));
  }
}

function fail(message: string, hint: string | null = null): number {
  process.stderr.write(`Error: ${message}\n${hint ? `${hint}\n` : ''}`);
  return 1;
}




