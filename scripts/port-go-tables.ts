/**
 * Dev tool: turns the data in Ollama's Go test files (composite literals of api.Message, api.Tool,
 * test tables, raw strings) into JSON, so our tests can run Ollama's own cases as data.
 *
 *   npx vite-node scripts/port-go-tables.ts -- <file_test.go> [more…] > out.json
 *
 * Every `name := expr` / `var name = expr` of every function (and of the file) whose expression is
 * plain data is evaluated; Go struct field names become Ollama's JSON names (ToolCalls →
 * tool_calls), `&api.ThinkValue{Value: x}` becomes x, ordered-map helpers keep their order.
 * Anything that is not data (calls to unknown functions, method calls) is skipped.
 */
import fs from 'node:fs';

type Tok = { k: 'id' | 'num' | 'str' | 'p'; v: string };

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (src.startsWith('//', i)) { while (i < n && src[i] !== '\n') i++; continue; }
    if (src.startsWith('/*', i)) { i = src.indexOf('*/', i + 2) + 2; continue; }
    if (c === '`') { const j = src.indexOf('`', i + 1); out.push({ k: 'str', v: src.slice(i + 1, j).replace(/\r/g, '') }); i = j + 1; continue; }
    if (c === '"') {
      let j = i + 1;
      let s = '';
      const bytes: number[] = [];
      const flush = () => { if (bytes.length) { s += Buffer.from(bytes).toString('utf8'); bytes.length = 0; } };
      while (src[j] !== '"') {
        if (src[j] === '\\') {
          const e = src[j + 1]!;
          const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' };
          if (e in simple) { flush(); s += simple[e]; j += 2; }
          else if (e === 'u') { flush(); s += String.fromCodePoint(parseInt(src.slice(j + 2, j + 6), 16)); j += 6; }
          else if (e === 'U') { flush(); s += String.fromCodePoint(parseInt(src.slice(j + 2, j + 10), 16)); j += 10; }
          else if (e === 'x') { bytes.push(parseInt(src.slice(j + 2, j + 4), 16)); j += 4; }
          else if (/[0-7]/.test(e)) { bytes.push(parseInt(src.slice(j + 1, j + 4), 8)); j += 4; }
          else throw new Error(`bad escape \\${e}`);
        } else { flush(); s += src[j]; j++; }
      }
      flush();
      out.push({ k: 'str', v: s });
      i = j + 1;
      continue;
    }
    if (c === "'") { const m = /^'(\\.|[^'])'/.exec(src.slice(i))!; out.push({ k: 'num', v: String(m[1]!.codePointAt(0)) }); i += m[0].length; continue; }
    const num = /^(0x[0-9a-fA-F_]+|\d[\d_]*(\.\d*)?([eE][+-]?\d+)?|\.\d+)/.exec(src.slice(i));
    if (num) { out.push({ k: 'num', v: num[0].replace(/_/g, '') }); i += num[0].length; continue; }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) { out.push({ k: 'id', v: id[0] }); i += id[0].length; continue; }
    const p = /^(:=|\.\.\.|==|!=|&&|\|\||<-|\+\+|--|\+=|[{}()[\],:;.&+*=!<>\-/|%^])/.exec(src.slice(i));
    if (p) { out.push({ k: 'p', v: p[0] }); i += p[0].length; continue; }
    throw new Error(`lex: ${src.slice(i, i + 20)}`);
  }
  return out;
}

class Skip extends Error {}
const FIELD: Record<string, string> = { ToolCallID: 'tool_call_id', AnyOf: 'anyOf', Defs: '$defs', ID: 'id' };
const snake = (s: string) => FIELD[s] ?? (/^[A-Z]/.test(s) ? s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase() : s);

type Scope = Map<string, unknown>;

class Parser {
  i = 0;
  constructor(readonly t: Tok[], readonly scope: Scope, readonly funcs: Map<string, number>) {}
  peek(o = 0) { return this.t[this.i + o]; }
  is(v: string, o = 0) { const x = this.peek(o); return !!x && x.k === 'p' && x.v === v; }
  eat(v: string) { if (!this.is(v)) throw new Skip(`want ${v} got ${this.peek()?.v}`); this.i++; }

  /** Skips a type expression, returning its text. */
  type(): string {
    let s = '';
    for (;;) {
      if (this.is('[')) { this.i++; if (!this.is(']')) this.i++; this.eat(']'); s += '[]'; continue; }
      if (this.is('*') || this.is('&')) { this.i++; s += '*'; continue; }
      if (this.peek()?.v === 'map') { this.i++; this.eat('['); const k = this.type(); this.eat(']'); s += `map[${k}]`; continue; }
      if (this.peek()?.v === 'struct') { this.i++; this.eat('{'); let d = 1; while (d > 0) { if (this.is('{')) d++; if (this.is('}')) d--; this.i++; } return s + 'struct'; }
      if (this.peek()?.v === 'func') throw new Skip('func type');
      if (this.peek()?.v === 'interface') { this.i++; this.eat('{'); this.eat('}'); return s + 'any'; }
      const id = this.peek();
      if (id?.k !== 'id') throw new Skip(`type at ${this.t.slice(this.i - 8, this.i + 3).map((x) => x.v).join(' ')}`);
      this.i++;
      s += id.v;
      if (this.is('.')) { this.i++; s += '.' + this.peek()!.v; this.i++; }
      if (this.is('[') && this.peek(1)?.k === 'id' && this.is(']', 2)) { this.i += 3; }
      return s;
    }
  }

  expr(): unknown {
    let v = this.unary();
    while (this.is('+')) {
      this.i++;
      const r = this.unary();
      if (typeof v === 'string' && typeof r === 'string') v = v + r;
      else if (typeof v === 'number' && typeof r === 'number') v = v + r;
      else throw new Skip('+');
    }
    return v;
  }

  unary(): unknown {
    if (this.is('&')) { this.i++; return this.unary(); }
    if (this.is('-')) { this.i++; const v = this.unary(); if (typeof v !== 'number') throw new Skip('-'); return -v; }
    return this.primary();
  }

  primary(): unknown {
    const t = this.peek()!;
    if (t.k === 'str') { this.i++; return t.v; }
    if (t.k === 'num') { this.i++; return Number(t.v); }
    if (this.is('{')) return this.body('');
    if (this.is('[') || t.v === 'map') { const ty = this.type(); return this.body(ty); }
    if (t.k !== 'id') throw new Skip(`primary ${t.v}`);
    if (t.v === 'true' || t.v === 'false') { this.i++; return t.v === 'true'; }
    if (t.v === 'nil') { this.i++; return null; }
    if (t.v === 'func') throw new Skip('func literal');
    // identifier, qualified identifier, call, conversion or composite literal
    const start = this.i;
    this.i++;
    let name = t.v;
    if (this.is('.') && this.peek(1)?.k === 'id') { this.i += 2; name += '.' + this.t[this.i - 1]!.v; }
    if (this.is('{')) return this.body(name);
    if (this.is('(')) {
      // a call, maybe indexed: `bashRefTool()[0]`
      let v = this.call(name);
      while (this.is('[')) { this.i++; const k = this.expr(); this.eat(']'); v = (v as Record<string, unknown>)[k as string]; }
      return v;
    }
    if (this.scope.has(name)) {
      let v = this.scope.get(name);
      while (this.is('[')) { this.i++; const k = this.expr(); this.eat(']'); v = (v as Record<string, unknown>)[k as string]; }
      return structuredClone(v);
    }
    this.i = start;
    throw new Skip(`unknown ${name}`);
  }

  args(): unknown[] {
    this.eat('(');
    const out: unknown[] = [];
    while (!this.is(')')) {
      const v = this.expr();
      // `xs...` spreads a slice into a variadic call (only `append` takes one here)
      if (this.is('...')) { this.i++; out.push(...(v as unknown[])); } else out.push(v);
      if (this.is(',')) this.i++;
    }
    this.eat(')');
    return out;
  }

  call(name: string): unknown {
    const a = this.args();
    switch (name) {
      case 'append': return [...(a[0] as unknown[]), ...a.slice(1)];
      case 'testArgs': case 'testPropsMap': case 'api.ImageData': case 'string': case 'any': return a[0];
      case 'args': case 'propsMap': return JSON.parse(a[0] as string);
      case 'testArgsOrdered': case 'testPropsOrdered':
        // orderedArg{Key, Value} written with or without field names
        return Object.fromEntries((a[0] as Array<{ key: string; value: unknown } | [string, unknown]>).map((p) => (Array.isArray(p) ? p : [p.key, p.value])));
      case 'byte': case 'float64': case 'int': case 'int64': return a[0];
      // the local `think := func(v any) *api.ThinkValue` helper some tests define
      case 'think': return a[0];
      // glimmer_reference_test.go's prompt builders
      case 'glimmerRefMsg': return `<|start|>${a[0]}<|message|>${a[1]}${a[2]}`;
      case 'glimmerRefPrompt': return `<|begin_of_text|>${(a as string[]).join('')}<|start|>assistant`;
      // gemma4_test.go: a tool whose named parameters are all strings
      case 'gemma4TestStringTool':
        return { type: 'function', function: { name: a[0], parameters: { type: 'object', properties: Object.fromEntries((a.slice(1) as string[]).map((n) => [n, { type: ['string'] }])) } } };
      case 'thinkTrue': return true;
      case 'thinkFalse': return false;
      case 'api.NewToolCallFunctionArguments': case 'api.NewToolPropertiesMap': return {};
      case 'strings.Repeat': return (a[0] as string).repeat(a[1] as number);
      case 'strings.Join': return (a[0] as string[]).join(a[1] as string);
      case 'strings.TrimSpace': return (a[0] as string).trim();
      case 'strings.Replace': case 'strings.ReplaceAll': {
        const [str, from, to, n] = a as [string, string, string, number | undefined];
        if (name === 'strings.ReplaceAll' || n === -1) return str.split(from).join(to);
        let out = str;
        let done = 0;
        let at = 0;
        while (done < (n ?? 0)) {
          const i = out.indexOf(from, at);
          if (i < 0) break;
          out = out.slice(0, i) + to + out.slice(i + from.length);
          at = i + to.length;
          done++;
        }
        return out;
      }
      case 'strings.TrimSuffix': return (a[0] as string).endsWith(a[1] as string) ? (a[0] as string).slice(0, -(a[1] as string).length) : a[0];
      case 'strings.TrimPrefix': return (a[0] as string).startsWith(a[1] as string) ? (a[0] as string).slice((a[1] as string).length) : a[0];
      default: {
        const at = this.funcs.get(name);
        if (at !== undefined && a.length === 0) {
          const p = new Parser(this.t, new Map(this.scope), this.funcs);
          p.i = at;
          return p.expr();
        }
        throw new Skip(`call ${name}`);
      }
    }
  }

  /** `{ … }` after a type (or elided). */
  body(ty: string): unknown {
    this.eat('{');
    const items: unknown[] = [];
    const entries: Array<[string, unknown]> = [];
    let keyed = false;
    while (!this.is('}')) {
      // key: value?
      const save = this.i;
      let key: string | null = null;
      if ((this.peek()?.k === 'id' || this.peek()?.k === 'str') && this.is(':', 1)) {
        key = this.peek()!.k === 'id' && !this.scope.has(this.peek()!.v) && !ty.startsWith('map') ? snake(this.peek()!.v) : (this.peek()!.k === 'str' ? this.peek()!.v : String(this.scope.get(this.peek()!.v)));
        this.i += 2;
      } else if (ty.startsWith('map') && !this.is('{')) {
        const k = this.expr();
        if (this.is(':')) { this.i++; key = String(k); } else this.i = save;
      }
      const v = this.expr();
      if (key !== null) { keyed = true; entries.push([key, v]); } else items.push(v);
      if (this.is(',')) this.i++;
    }
    this.eat('}');
    if (/ThinkValue$/.test(ty)) return entries.find(([k]) => k === 'value')?.[1] ?? null;
    if (keyed || ty.startsWith('map') || (ty !== '' && !ty.startsWith('[]') && !ty.startsWith('api.PropertyType'))) {
      return Object.fromEntries(entries);
    }
    return items;
  }
}

/** Evaluates every `x := data` of the file, per top-level function. */
function portFile(path: string): Record<string, Record<string, unknown>> {
  const t = lex(fs.readFileSync(path, 'utf8'));
  const funcs = new Map<string, number>();
  // constants of the renderers' own (non-test) files that tests use
  const fileScope: Scope = new Map<string, unknown>([
    ['imStartTag', '<|im_start|>'], ['imEndTag', '<|im_end|>'],
    ['lagunaDefaultSystem', 'You are a helpful, conversationally-fluent assistant made by Poolside. You are here to be helpful to users through natural language conversations.'],
    // renderer variants become the renderer names Ollama registers them under
    ['Olmo3Think32B', 'olmo3-32b-think'], ['Olmo31Think', 'olmo3-think'],
    // renderers built with image tags, as the server builds them
    ['RenderImgTags', true],
  ]);
  // functions without parameters that `return <data>` become callable
  for (let i = 0; i < t.length; i++) {
    if (t[i]!.v === 'func' && t[i + 1]?.k === 'id' && t[i + 2]?.v === '(' && t[i + 3]?.v === ')') {
      let j = i + 4;
      while (j < t.length && t[j]!.v !== '{') j++;
      if (t[j + 1]?.v === 'return') funcs.set(t[i + 1]!.v, j + 2);
    }
  }
  const out: Record<string, Record<string, unknown>> = {};
  let current = '_file';
  let depth = 0;
  let scope: Scope = fileScope;
  for (let i = 0; i < t.length; i++) {
    const tok = t[i]!;
    if (tok.v === '{' && tok.k === 'p') depth++;
    if (tok.v === '}' && tok.k === 'p') depth--;
    if (depth === 0 && tok.v === 'func' && t[i + 1]?.k === 'id') { current = t[i + 1]!.v; scope = new Map(fileScope); continue; }
    // `….Render(msgs, tools, think)` with data arguments: kept in order as `_render`
    if (tok.v === 'Render' && t[i - 1]?.v === '.' && t[i + 1]?.v === '(') {
      const p = new Parser(t, scope, funcs);
      p.i = i + 1;
      try {
        const args = p.args();
        ((out[current] ??= {})._render ??= [] as unknown[]) as unknown[];
        (out[current]!._render as unknown[]).push(args);
      } catch (e) {
        if (!(e instanceof Skip)) throw e;
      }
      continue;
    }
    // `x.Set(k, v)` on an ordered map built above
    if (tok.k === 'id' && t[i + 1]?.v === '.' && t[i + 2]?.v === 'Set' && t[i + 3]?.v === '(' && scope.has(tok.v)) {
      const p = new Parser(t, scope, funcs);
      p.i = i + 3;
      try {
        const [k, v] = p.args();
        const target = scope.get(tok.v) as Record<string, unknown>;
        target[k as string] = v;
        if (out[current]?.[tok.v]) (out[current]![tok.v] as Record<string, unknown>)[k as string] = v;
      } catch (e) {
        if (!(e instanceof Skip)) throw e;
      }
      continue;
    }
    // const ( a = x; b = y ), var ( … ) and const a = x
    if ((tok.v === 'const' || tok.v === 'var') && t[i + 1]?.v === '(') {
      let j = i + 2;
      while (t[j]?.v !== ')') {
        if (t[j]?.k === 'id' && t[j + 1]?.v === '=') {
          const p = new Parser(t, scope, funcs);
          p.i = j + 2;
          try { const v = p.expr(); scope.set(t[j]!.v, v); if (depth === 0) fileScope.set(t[j]!.v, v); j = p.i; continue; } catch (e) { if (!(e instanceof Skip)) throw e; }
        }
        j++;
      }
      continue;
    }
    let nameAt = -1;
    if (tok.v === 'const' && t[i + 1]?.k === 'id' && t[i + 2]?.v === '=') nameAt = i + 1;
    if (tok.k === 'id' && t[i + 1]?.v === ':=') nameAt = i;
    if (tok.v === 'var' && t[i + 1]?.k === 'id' && t[i + 2]?.v === '=') nameAt = i + 1;
    if (nameAt < 0) continue;
    const name = t[nameAt]!.v;
    const p = new Parser(t, scope, funcs);
    p.i = nameAt + 2;
    try {
      const v = p.expr();
      scope.set(name, v);
      (out[current] ??= {})[name] = v;
      if (depth === 0) fileScope.set(name, v);
    } catch (e) {
      if (!(e instanceof Skip)) throw e;
      if (process.env.PORT_DEBUG) process.stderr.write(`${current}.${name}: ${e.message}\n`);
    }
  }
  // the data the file's zero-argument helper functions return
  for (const [name, at] of funcs) {
    const p = new Parser(t, new Map(fileScope), funcs);
    p.i = at;
    try {
      (out._funcs ??= {})[name] = p.expr();
    } catch (e) {
      if (!(e instanceof Skip)) throw e;
    }
  }
  return out;
}

const files = process.argv.slice(2).filter((a) => a !== '--');
const result: Record<string, unknown> = {};
for (const f of files) result[f.split('/').pop()!] = portFile(f);
process.stdout.write(JSON.stringify(result, null, 1) + '\n');
