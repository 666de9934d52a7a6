/**
 * Heuristics Ollama runs over a template's parse tree to parse model output:
 * the tool-call prefix (tools/template.go parseTag) and the thinking tags
 * (thinking/template.go InferTags).
 */
import type { AnyNode, ListNode, Node, RangeNode, TextNode } from './ast.js';

function mentionsToolCalls(n: Node & { type: 'if' }): boolean {
  return n.pipe.cmds.some((c) => c.args.some((a) => a.type === 'field' && a.ident.includes('ToolCalls')));
}

function findToolCallNode(nodes: readonly Node[]): (Node & { type: 'if' }) | null {
  for (const n of nodes) {
    if (n.type === 'list') {
      const r = findToolCallNode(n.nodes);
      if (r) return r;
    } else if (n.type === 'if' || n.type === 'range' || n.type === 'with') {
      if (n.type === 'if' && mentionsToolCalls(n)) return n;
      const r = findToolCallNode(n.list.nodes) ?? (n.elseList ? findToolCallNode(n.elseList.nodes) : null);
      if (r) return r;
    }
  }
  return null;
}

function findTextNode(nodes: readonly Node[]): TextNode | null {
  for (const n of nodes) {
    switch (n.type) {
      case 'text':
        if (n.text.trim() !== '') return n;
        break;
      case 'template':
      case 'action':
        return null;
      case 'if':
      case 'range':
      case 'with':
        return findTextNode(n.list.nodes) ?? (n.elseList ? findTextNode(n.elseList.nodes) : null);
      default:
        break;
    }
  }
  return null;
}

/**
 * The text a model writes before tool calls: the first non-blank text inside the first
 * `{{ if .ToolCalls }}` block, cut at `{` and trimmed; `{` when there is none.
 */
export function toolCallPrefix(root: ListNode): string {
  const tc = findToolCallNode(root.nodes);
  const tn = tc ? findTextNode(tc.list.nodes) : null;
  if (!tn) return '{';
  const tag = (tn.text.replace(/\r\n/g, '\n').split('{')[0] ?? '').trim();
  return tag === '' ? '{' : tag;
}

function children(n: AnyNode): AnyNode[] {
  switch (n.type) {
    case 'list': return n.nodes;
    case 'if': case 'range': case 'with':
      return [n.pipe, n.list, ...(n.elseList ? [n.elseList] : [])];
    case 'action': return [n.pipe];
    case 'template': return n.pipe ? [n.pipe] : [];
    case 'pipe': return [...n.decl, ...n.cmds];
    case 'command': return n.args;
    case 'chain': return [n.node];
    default: return [];
  }
}

function visit(n: AnyNode, enter: (n: AnyNode, ancestors: AnyNode[]) => void, ancestors: AnyNode[] = []): void {
  ancestors.push(n);
  enter(n, ancestors);
  for (const c of children(n)) visit(c, enter, ancestors);
  ancestors.pop();
}

function rangeUsesField(r: RangeNode, field: string): boolean {
  let found = false;
  visit(r.pipe, (n) => {
    if (n.type === 'field' && n.ident[0] === field) found = true;
  });
  return found;
}

/**
 * Opening and closing thinking tags: for a `.Thinking` inside a `range` over `.Messages`,
 * the first and last text nodes of the nearest enclosing list (trimmed). Empty when none.
 */
export function inferThinkingTags(root: ListNode): { open: string; close: string } {
  let open = '';
  let close = '';
  visit(root, (n, ancestors) => {
    if (n.type !== 'field' || n.ident[0] !== 'Thinking') return;
    const range = [...ancestors].reverse().find((a): a is RangeNode => a.type === 'range');
    if (!range || !rangeUsesField(range, 'Messages')) return;
    const list = [...ancestors].reverse().find((a): a is ListNode => a.type === 'list');
    if (!list || list.nodes.length === 0) return;
    const first = list.nodes[0];
    const last = list.nodes[list.nodes.length - 1];
    if (first?.type === 'text') open = first.text.trim();
    if (last?.type === 'text') close = last.text.trim();
  });
  return { open, close };
}
