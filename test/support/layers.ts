/**
 * The layer check: the layer list is read from docs/architecture.md (a ```layers block, bottom to
 * top), so the documentation and the rule cannot drift apart. Every TypeScript module under src/
 * and webview-ui/ belongs to exactly one layer; a module imports only modules of lower layers or of
 * its own folder; folders on one line are siblings and never import each other; a layer can say
 * which lower layers are the only ones it may use (`only:`); `vscode` is imported only where a
 * layer says `vscode`. And no module is part of an import cycle.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

export interface Layer {
  readonly rank: number;
  /** Folder prefixes (ending in /) or files, repository-relative. */
  readonly paths: readonly string[];
  /** When set, the only lower paths this layer may import. */
  readonly only?: readonly string[];
  readonly vscode: boolean;
}

/** Parse the ```layers block: `N. path path ... [only: path path] [vscode]`. */
export function parseLayers(markdown: string): Layer[] {
  const block = /```layers\n([\s\S]*?)```/.exec(markdown);
  if (!block) throw new Error('docs/architecture.md has no ```layers block');
  const layers: Layer[] = [];
  for (const raw of block[1]!.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const m = /^(\d+)\.\s+(.*)$/.exec(line);
    if (!m) throw new Error(`layers: cannot read line '${raw}'`);
    const words = m[2]!.split(/\s+/);
    const paths: string[] = [];
    let only: string[] | undefined;
    let vscode = false;
    for (let i = 0; i < words.length; i++) {
      const word = words[i]!;
      if (word === 'vscode') vscode = true;
      else if (word === 'only:') only = [];
      else if (only) only.push(word);
      else paths.push(word);
    }
    layers.push({ rank: Number(m[1]), paths, ...(only ? { only } : {}), vscode });
  }
  return layers;
}

export interface ModuleGraph {
  /** Module -> the modules it imports (repository-relative .ts paths). */
  readonly imports: ReadonlyMap<string, readonly string[]>;
  /** Module -> bare package names it imports. */
  readonly packages: ReadonlyMap<string, readonly string[]>;
}

const SPECIFIER = /(?:^|[^\w$.])(?:import|export)\s+(?:type\s+)?(?:[\w*${}\s,]+?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
}

/** Read the modules under `roots` (repository-relative) and what each imports. */
export function readGraph(repo: string, roots: readonly string[]): ModuleGraph {
  const files: string[] = [];
  for (const root of roots) walk(join(repo, root), files);
  const modules = new Set(files.map((f) => relative(repo, f)));
  const imports = new Map<string, string[]>();
  const packages = new Map<string, string[]>();
  for (const module of modules) {
    const text = readFileSync(join(repo, module), 'utf8');
    const local: string[] = [];
    const bare: string[] = [];
    for (const m of text.matchAll(SPECIFIER)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      if (!spec.startsWith('.')) {
        bare.push(spec);
        continue;
      }
      const base = normalize(join(dirname(module), spec));
      const target = [base, `${base}.ts`, join(base, 'index.ts')].find((c) => modules.has(c));
      // a JSON file (package.json) or an inline worker's text is data, not a module of a layer
      if (target) local.push(target);
      else if (!/\.(json|css)$/.test(spec) && !spec.startsWith('inline-worker:') && !existsSync(join(repo, base))) throw new Error(`${module}: cannot resolve '${spec}'`);
    }
    imports.set(module, local);
    packages.set(module, bare);
  }
  return { imports, packages };
}

export interface Violation {
  readonly kind: 'unlayered' | 'upward' | 'sibling' | 'not-allowed' | 'vscode' | 'cycle';
  readonly message: string;
}

function layerOf(layers: readonly Layer[], module: string): { layer: Layer; path: string } | undefined {
  let best: { layer: Layer; path: string } | undefined;
  for (const layer of layers) {
    for (const path of layer.paths) {
      const hit = path.endsWith('/') ? module.startsWith(path) : module === path;
      if (hit && (!best || path.length > best.path.length)) best = { layer, path };
    }
  }
  return best;
}

/** Every violation of the layer rules and every import cycle in `graph`. */
export function checkLayers(layers: readonly Layer[], graph: ModuleGraph): Violation[] {
  const violations: Violation[] = [];
  for (const [module, targets] of graph.imports) {
    const from = layerOf(layers, module);
    if (!from) {
      violations.push({ kind: 'unlayered', message: `${module} belongs to no layer in docs/architecture.md` });
      continue;
    }
    for (const pkg of graph.packages.get(module) ?? []) {
      if (pkg === 'vscode' && !from.layer.vscode) violations.push({ kind: 'vscode', message: `${module} imports vscode (layer ${from.layer.rank} may not)` });
    }
    for (const target of targets) {
      const to = layerOf(layers, target);
      if (!to) continue; // reported for the target itself
      if (to.path === from.path) continue;
      if (to.layer.rank > from.layer.rank) violations.push({ kind: 'upward', message: `${module} (layer ${from.layer.rank}) imports ${target} (layer ${to.layer.rank}): imports go downwards only` });
      else if (to.layer.rank === from.layer.rank) violations.push({ kind: 'sibling', message: `${module} imports ${target}: ${from.path} and ${to.path} are siblings in layer ${from.layer.rank}` });
      else if (from.layer.only && !from.layer.only.some((p) => (p.endsWith('/') ? target.startsWith(p) : target === p))) {
        violations.push({ kind: 'not-allowed', message: `${module} imports ${target}: layer ${from.layer.rank} may use only ${from.layer.only.join(', ')}` });
      }
    }
  }
  for (const cycle of cycles(graph.imports)) violations.push({ kind: 'cycle', message: `import cycle: ${[...cycle, cycle[0]].join(' -> ')}` });
  return violations;
}

/** The import cycles (strongly connected components of more than one module, or a self-import), Tarjan's algorithm. */
export function cycles(imports: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of imports.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (imports.get(v) ?? []).includes(v)) out.push(component.reverse());
    }
  };
  for (const v of imports.keys()) if (!index.has(v)) visit(v);
  return out;
}
