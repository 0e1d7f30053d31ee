// One build for every entry point: the extension host bundle, the engine process, the CLI, worker
// threads and the webview bundles. Type checking is separate (`npm run typecheck`).
import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  // native binding: loaded from node_modules at run time, never bundled
  // tsx: only resolved when workers run from source (tests), never inside the bundle
  external: ['vscode', 'onnxruntime-node', 'tsx', 'tsx/cjs'],
};

// Node-side entry points (CommonJS, Node 20). Missing files are skipped so partial trees still build.
const nodeEntries = {
  extension: 'src/extension.ts',
  cli: 'src/engine/cli.ts',
  engine: 'src/engine/main.ts',
  'train-worker': 'src/engine/learn/worker.ts',
  'robot-link-worker': 'src/engine/robot/linkWorker.ts',
  'robot-session-worker': 'src/engine/console/sessionWorker.ts',
  // perception requests (train, evaluate, adapt) run beside the engine's main thread
  'perception-worker': 'src/engine/perception/perceptionWorker.ts',
  // loaded by path by the trainer's rollout workers (perception-in-the-loop policy training)
  'perceived-env': 'src/engine/perception/perceivedEnv.ts',
};

const webviewDir = 'webview-ui';
const webviewEntries = existsSync(webviewDir)
  ? Object.fromEntries(
      readdirSync(webviewDir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && existsSync(join(webviewDir, d.name, 'main.ts')))
        .map((d) => [d.name, join(webviewDir, d.name, 'main.ts')]),
    )
  : {};

// `import source from 'inline-worker:./file.ts'`: the file bundled on its own (a worker's script) and
// handed to the importer as text. A webview starts workers from blob: URLs: its resource origin
// cannot serve worker scripts.
const inlineWorker = {
  name: 'inline-worker',
  setup(build) {
    build.onResolve({ filter: /^inline-worker:/ }, (args) => ({
      path: join(args.resolveDir, args.path.slice('inline-worker:'.length)),
      namespace: 'inline-worker',
    }));
    build.onLoad({ filter: /.*/, namespace: 'inline-worker' }, async (args) => {
      const result = await esbuild.build({
        entryPoints: [args.path],
        bundle: true,
        write: false,
        minify: production,
        platform: 'browser',
        target: 'es2022',
        format: 'iife',
        logLevel: 'warning',
        metafile: true,
      });
      return { contents: result.outputFiles[0].text, loader: 'text', watchFiles: Object.keys(result.metafile.inputs) };
    });
  },
};

const builds = [
  {
    ...common,
    entryPoints: Object.fromEntries(Object.entries(nodeEntries).filter(([, file]) => existsSync(file))),
    outdir: 'dist',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
  },
  {
    ...common,
    entryPoints: webviewEntries,
    outdir: 'dist/webview',
    platform: 'browser',
    target: 'es2022',
    format: 'esm',
    external: [],
    plugins: [inlineWorker],
  },
].filter((options) => Object.keys(options.entryPoints).length > 0);

// codicons are a stylesheet plus a font, loaded by the webviews from dist/webview/codicons
if (Object.keys(webviewEntries).length > 0) {
  mkdirSync('dist/webview/codicons', { recursive: true });
  for (const file of ['codicon.css', 'codicon.ttf']) cpSync(join('node_modules/@vscode/codicons/dist', file), join('dist/webview/codicons', file));
}

if (watch) {
  for (const options of builds) (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
