/**
 * Parse tree with Go's text/template node shapes (parse.ListNode, IfNode, PipeNode, …),
 * so code that inspects templates (tool-call prefix, thinking tags) can follow Ollama.
 */

export interface NodeBase {
  /** Offset in the template text. */
  pos: number;
  line: number;
}

export interface ListNode extends NodeBase { type: 'list'; nodes: Node[] }
export interface TextNode extends NodeBase { type: 'text'; text: string }
export interface CommentNode extends NodeBase { type: 'comment'; text: string }
export interface ActionNode extends NodeBase { type: 'action'; pipe: PipeNode }
export interface BreakNode extends NodeBase { type: 'break' }
export interface ContinueNode extends NodeBase { type: 'continue' }
export interface BranchFields extends NodeBase {
  pipe: PipeNode;
  list: ListNode;
  elseList: ListNode | null;
}
export interface IfNode extends BranchFields { type: 'if' }
export interface RangeNode extends BranchFields { type: 'range' }
export interface WithNode extends BranchFields { type: 'with' }
export interface TemplateNode extends NodeBase { type: 'template'; name: string; pipe: PipeNode | null }

export interface PipeNode extends NodeBase {
  type: 'pipe';
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}
export interface CommandNode extends NodeBase { type: 'command'; args: ArgNode[] }
export interface FieldNode extends NodeBase { type: 'field'; ident: string[] }
/** `$x.A.B`: ident[0] is the variable name including `$`. */
export interface VariableNode extends NodeBase { type: 'variable'; ident: string[] }
/** A function name. */
export interface IdentifierNode extends NodeBase { type: 'identifier'; ident: string }
export interface DotNode extends NodeBase { type: 'dot' }
export interface NilNode extends NodeBase { type: 'nil' }
export interface BoolNode extends NodeBase { type: 'bool'; value: boolean }
/** `value` is a bigint for Go ints and a number for float64 literals. */
export interface NumberNode extends NodeBase { type: 'number'; text: string; value: bigint | number }
export interface StringNode extends NodeBase { type: 'string'; quoted: string; text: string }
/** `(pipeline).Field1.Field2`. */
export interface ChainNode extends NodeBase { type: 'chain'; node: ArgNode; field: string[] }

export type ArgNode =
  | FieldNode | VariableNode | IdentifierNode | DotNode | NilNode | BoolNode | NumberNode
  | StringNode | ChainNode | PipeNode;

export type Node =
  | ListNode | TextNode | CommentNode | ActionNode | BreakNode | ContinueNode | IfNode | RangeNode
  | WithNode | TemplateNode;

export type AnyNode = Node | ArgNode | CommandNode;

/** Go's String() of a node, used in error messages (`at <.Foo>`). */
export function nodeString(n: AnyNode): string {
  switch (n.type) {
    case 'list': return n.nodes.map(nodeString).join('');
    case 'text': return n.text;
    case 'comment': return `{{${n.text}}}`;
    case 'action': return `{{${nodeString(n.pipe)}}}`;
    case 'break': return '{{break}}';
    case 'continue': return '{{continue}}';
    case 'if':
    case 'range':
    case 'with': {
      let s = `{{${n.type} ${nodeString(n.pipe)}}}${nodeString(n.list)}`;
      if (n.elseList) s += `{{else}}${nodeString(n.elseList)}`;
      return `${s}{{end}}`;
    }
    case 'template':
      return n.pipe ? `{{template ${JSON.stringify(n.name)} ${nodeString(n.pipe)}}}` : `{{template ${JSON.stringify(n.name)}}}`;
    case 'pipe': {
      let s = '';
      if (n.decl.length > 0) s = `${n.decl.map(nodeString).join(', ')} ${n.isAssign ? '=' : ':='} `;
      return s + n.cmds.map(nodeString).join(' | ');
    }
    case 'command':
      return n.args.map((a) => (a.type === 'pipe' ? `(${nodeString(a)})` : nodeString(a))).join(' ');
    case 'field': return n.ident.map((i) => `.${i}`).join('');
    case 'variable': return n.ident.join('.');
    case 'identifier': return n.ident;
    case 'dot': return '.';
    case 'nil': return 'nil';
    case 'bool': return n.value ? 'true' : 'false';
    case 'number': return n.text;
    case 'string': return n.quoted;
    case 'chain': {
      const inner = n.node.type === 'pipe' ? `(${nodeString(n.node)})` : nodeString(n.node);
      return inner + n.field.map((f) => `.${f}`).join('');
    }
  }
}

/** Deep copy of a subtree (Go's Node.Copy). */
export function copyNode<T extends AnyNode>(n: T): T {
  return structuredClone(n);
}
