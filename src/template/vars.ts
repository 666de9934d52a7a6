/**
 * Ollama's tree walks over a parsed template: Identifiers/Vars (which fields a template
 * references) and deleteNode (cutting the tree after the first `.Response`).
 */
import type { ArgNode, CommandNode, ListNode, Node, PipeNode } from './ast.js';
import { copyNode } from './ast.js';
import { TemplateError } from './errors.js';
import type { ParsedTemplate } from './parser.js';

type Walkable = Node | ArgNode;

function identifiers(n: Walkable, out: string[]): void {
  switch (n.type) {
    case 'list':
      for (const c of n.nodes) identifiers(c, out);
      return;
    case 'template':
      if (!n.pipe) throw new TemplateError('undefined template specified', 'parse');
      identifiers(n.pipe, out);
      return;
    case 'action':
      identifiers(n.pipe, out);
      return;
    case 'if':
    case 'range':
    case 'with':
      identifiers(n.pipe, out);
      identifiers(n.list, out);
      if (n.elseList) identifiers(n.elseList, out);
      return;
    case 'pipe':
      for (const c of n.cmds) for (const a of c.args) identifiers(a, out);
      return;
    case 'field':
    case 'variable':
      out.push(...n.ident);
      return;
    default:
      return; // ChainNode and literals are not walked (as in Ollama)
  }
}

/**
 * Ollama's Template.Vars(): identifiers of every Field and Variable node in every template
 * of the set, lower-cased, sorted and de-duplicated. Throws TemplateError for
 * `{{template "x"}}` without a pipeline ("undefined template specified").
 */
export function templateVars(t: ParsedTemplate): string[] {
  const out: string[] = [];
  for (const tree of t.templates.values()) identifiers(tree, out);
  return [...new Set(out.map((s) => s.toLowerCase()))].sort();
}

/**
 * A copy of the root tree with every node after the first `.Response` field removed
 * (Ollama's deleteNode, used for the last turn of the legacy prompt path).
 */
export function cutAfterResponse(root: ListNode): ListNode {
  let cut = false;
  const fn = (n: Walkable | CommandNode): boolean => {
    if (n.type === 'field' && n.ident.includes('Response')) {
      cut = true;
      return false;
    }
    return cut;
  };
  const walkList = (l: ListNode): ListNode | null => {
    if (fn(l)) return null;
    l.nodes = l.nodes.map(walk).filter((x): x is Node => x !== null);
    return l;
  };
  const walkPipe = (p: PipeNode): PipeNode | null => {
    if (fn(p)) return null;
    const cmds: CommandNode[] = [];
    for (const c of p.cmds) {
      const args = c.args.map(walkArg).filter((x): x is ArgNode => x !== null);
      if (args.length === 0) return null;
      c.args = args;
      cmds.push(c);
    }
    if (cmds.length === 0) return null;
    p.cmds = cmds;
    return p;
  };
  const walkArg = (a: ArgNode): ArgNode | null => {
    if (a.type === 'pipe') return walkPipe(a);
    return fn(a) ? null : a;
  };
  const walk = (n: Node): Node | null => {
    if (n.type === 'list') return walkList(n);
    if (fn(n)) return null;
    switch (n.type) {
      case 'if':
      case 'range':
      case 'with': {
        // Go walks the branch's lists but not its pipeline; a list removed entirely becomes empty.
        n.list = walkList(n.list) ?? { ...n.list, nodes: [] };
        if (n.elseList) n.elseList = walkList(n.elseList) ?? { ...n.elseList, nodes: [] };
        return n;
      }
      case 'action': {
        const p = walkPipe(n.pipe);
        if (!p) return null;
        n.pipe = p;
        return n;
      }
      default:
        return n;
    }
  };
  return walkList(copyNode(root)) ?? { ...root, nodes: [] };
}
