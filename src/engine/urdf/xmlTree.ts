/**
 * XML to a small element tree that keeps each element's line, so that every URDF problem can be
 * reported at file:line. fast-xml-parser does the parsing (its validator gives line and column for
 * malformed XML; `captureMetaData` gives each element's start offset).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** 1-based line of the element's start tag. */
  readonly line: number;
}

export class XmlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  preserveOrder: true,
  captureMetaData: true,
  parseAttributeValue: false,
  parseTagValue: false,
  allowBooleanAttributes: true,
  processEntities: true,
});
const META = XMLParser.getMetaDataSymbol() as unknown as symbol;

type Ordered = Record<string | symbol, unknown>;

/** Parse a document; throws XmlSyntaxError (with its line) when it is not well-formed XML. */
export function parseXml(text: string): XmlElement {
  const verdict = XMLValidator.validate(text, { allowBooleanAttributes: true });
  if (verdict !== true) throw new XmlSyntaxError(verdict.err.msg, verdict.err.line, verdict.err.col);
  const lineStarts = lineStartsOf(text);
  const top = parser.parse(text) as Ordered[];
  const roots = top.map((node) => toElement(node, lineStarts)).filter((e): e is XmlElement => e !== undefined && !e.name.startsWith('?'));
  if (roots.length !== 1) throw new XmlSyntaxError(roots.length === 0 ? 'the document has no root element' : 'the document has more than one root element', 1, 1);
  return roots[0]!;
}

function toElement(node: Ordered, lineStarts: readonly number[]): XmlElement | undefined {
  const name = Object.keys(node).find((k) => k !== ':@');
  if (name === undefined || name === '#text' || name === '#comment') return undefined;
  const meta = node[META] as { startIndex?: number } | undefined;
  const attributes = (node[':@'] as Record<string, string> | undefined) ?? {};
  const kids = (node[name] as Ordered[] | undefined) ?? [];
  const children: XmlElement[] = [];
  for (const kid of kids) {
    const element = toElement(kid, lineStarts);
    if (element) children.push(element);
  }
  return { name, attributes, children, line: lineOf(meta?.startIndex ?? 0, lineStarts) };
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function lineOf(offset: number, starts: readonly number[]): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}

export function childNamed(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}
