// `npm run package [-- --target <platform>] [-- --out <file.vsix | dir>]`
// Production build, then one platform-specific .vsix. esbuild bundles everything into dist/ except
// onnxruntime-node, a native binding that ships binaries for every platform (288 MB); each .vsix
// carries only its target's (linux-x64: 45 MB). Logs go to stderr, the .vsix path to stdout.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const log = (message) => process.stderr.write(`[package] ${message}\n`);

/** Thrown for every expected failure: reported as one line, without a stack trace. */
class PackageError extends Error {}
function fail(message) {
  throw new PackageError(message);
}

function parseArgs(argv) {
  const options = { target: `${process.platform}-${process.arch}`, out: 'dist-vsix' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag !== '--target' && flag !== '--out') fail(`unknown argument '${flag}' (expected --target or --out)`);
    const value = argv[++i];
    if (value === undefined || value.startsWith('--')) fail(`${flag} needs a value`);
    options[flag.slice(2)] = value;
  }
  return options;
}

/** Runs a command with its output on our stderr (stdout is reserved for the result). */
function run(command, args, env = process.env) {
  log(`$ ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, env, stdio: ['ignore', process.stderr, 'inherit'] });
  if (result.error) fail(`${command}: ${result.error.message}`);
  if (result.status !== 0) fail(`${command} exited with ${result.status ?? result.signal}`);
}

/** onnxruntime-node's binary folders by vsce target name, e.g. linux-x64 -> bin/napi-v6/linux/x64. */
function onnxBinaryFolders() {
  const bin = join(root, 'node_modules/onnxruntime-node/bin');
  if (!existsSync(bin)) fail('node_modules/onnxruntime-node is missing: run `npm ci` first');
  const folders = new Map();
  for (const napi of readdirSync(bin)) {
    for (const os of readdirSync(join(bin, napi))) {
      for (const arch of readdirSync(join(bin, napi, os))) {
        folders.set(`${os}-${arch}`, `node_modules/onnxruntime-node/bin/${napi}/${os}/${arch}`);
      }
    }
  }
  return folders;
}

/** vsce comes from the tool cache that scripts/e2e-setup.sh fills, never from a run-time download. */
function findVsce() {
  if (process.env.SIM2REAL_VSCE) return process.env.SIM2REAL_VSCE;
  const setup = spawnSync('bash', [join(root, 'scripts/e2e-setup.sh'), '--package-only'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (setup.status !== 0) fail('scripts/e2e-setup.sh --package-only failed');
  const envFile = setup.stdout.trim().split('\n').at(-1);
  const match = /^export SIM2REAL_VSCE='(.*)'$/m.exec(readFileSync(envFile, 'utf8'));
  if (!match) fail(`${envFile} does not name vsce`);
  return match[1];
}

/** Checks the file list vsce will pack, so a wrong ignore rule fails here with a clear message. */
function checkContents(files, target, binaryFolder) {
  const missing = ['package.json', 'LICENSE', 'dist/extension.js', 'node_modules/onnxruntime-node/dist/index.js',
    'node_modules/onnxruntime-common/dist/cjs/index.js', `${binaryFolder}/onnxruntime_binding.node`]
    .filter((file) => !files.includes(file));
  if (missing.length > 0) fail(`the ${target} package would lack: ${missing.join(', ')}`);
  const forbidden = files.filter((file) =>
    /^(src|test|bench|scripts|webview-ui|\.ci|dist-vsix)\//.test(file) ||
    /\.(ts|map)$/.test(file) ||
    (file.startsWith('node_modules/') && !/^node_modules\/onnxruntime-(node|common)\//.test(file)) ||
    (file.startsWith('node_modules/onnxruntime-node/bin/') && !file.startsWith(`${binaryFolder}/`)));
  if (forbidden.length > 0) fail(`the ${target} package would include files it must not:\n  ${forbidden.slice(0, 20).join('\n  ')}`);
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  const folders = onnxBinaryFolders();
  const binaryFolder = folders.get(options.target);
  if (!binaryFolder) fail(`no onnxruntime binaries for target '${options.target}'; supported: ${[...folders.keys()].join(', ')}`);

  const vsce = findVsce();
  run(process.execPath, ['scripts/build.mjs', '--production']);
  if (!existsSync(join(root, 'dist/extension.js'))) fail('dist/extension.js was not built (is src/extension.ts there?)');

  // The checked-in .vscodeignore plus the one line that keeps this target's onnxruntime binaries.
  const work = mkdtempSync(join(tmpdir(), 'sim2real-package-'));
  try {
    const ignoreFile = join(work, 'vscodeignore');
    writeFileSync(ignoreFile, `${readFileSync(join(root, '.vscodeignore'), 'utf8')}\n!${binaryFolder}/**\n`);

    const listed = spawnSync(vsce, ['ls', '--ignoreFile', ignoreFile], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (listed.status !== 0) fail('vsce ls failed');
    checkContents(listed.stdout.split('\n').filter(Boolean), options.target, binaryFolder);

    const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const out = resolve(root, options.out);
    const vsix = out.endsWith('.vsix') ? out : join(out, `${name}-${options.target}-${version}.vsix`);
    mkdirSync(dirname(vsix), { recursive: true });
    rmSync(vsix, { force: true });
    // README links point at files shipped in the package (examples/, schemas/, docs/); the
  // repository is not on GitHub, so vsce must not rewrite them into repository URLs.
  run(vsce, ['package', '--target', options.target, '--ignoreFile', ignoreFile, '--no-rewrite-relative-links', '--out', vsix]);

    log(`${relative(root, vsix)}: ${(statSync(vsix).size / 1e6).toFixed(1)} MB`);
    process.stdout.write(`${vsix}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  if (!(error instanceof PackageError)) throw error;
  log(`ERROR: ${error.message}`);
  process.exitCode = 1;
}
