/**
 * End-to-end harness: the packaged extension inside a real VS Code (code-server), driven through
 * Debian's Chromium with playwright-core. `npm run test:e2e` (scripts/e2e.sh) installs the tools,
 * packages the .vsix and passes their locations in SIM2REAL_* variables.
 *
 * Everything a run writes (profile, extensions, settings, workspace copy, browser profile) lives in
 * one temporary folder that `close()` removes; failures leave screenshots and logs in .e2e/artifacts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const artifactsRoot = join(repoRoot, '.e2e/artifacts');

/** Bounded waits, in ms. Generous because the machines are 2-core and noisy. */
const STARTUP_TIMEOUT = 120_000;
const UI_TIMEOUT = 30_000;

export interface StartOptions {
  /** Folder under test/fixtures copied into a fresh workspace. */
  fixture: string;
  /** User settings on top of the harness defaults. */
  settings?: Record<string, unknown>;
}

export interface Problem {
  /** File name as the Problems panel groups it, e.g. `broken.s2r.yaml`. */
  file: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  /** 1-based, as shown in the Problems panel. */
  line: number;
  column: number;
  /** e.g. `sim2real` */
  source: string;
  /** e.g. `range-reversed` */
  code: string;
}

/** Harness defaults: nothing on screen or on the network that a test did not ask for. */
const DEFAULT_SETTINGS: Record<string, unknown> = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'chat.disableAIFeatures': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'files.autoSave': 'off',
  // Typing is literal (no auto-indent, no auto-closing) so a test controls exactly what it types.
  'editor.autoIndent': 'none',
  'editor.autoClosingBrackets': 'never',
  'editor.autoClosingQuotes': 'never',
  // Suggestions only on request, and only from language providers: word-based suggestions would
  // offer every word already in the file and hide a missing completion provider.
  'editor.quickSuggestions': { other: 'off', comments: 'off', strings: 'off' },
  'editor.suggestOnTriggerCharacters': false,
  'editor.wordBasedSuggestions': 'off',
  'editor.acceptSuggestionOnEnter': 'on',
};

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the e2e tier with \`npm run test:e2e\` (scripts/e2e.sh sets it)`);
  return value;
}

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Polls `probe` until it returns a value other than undefined, or throws `message` after `timeout`. */
export async function waitFor<T>(probe: () => Promise<T | undefined>, message: string, timeout = UI_TIMEOUT, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeout;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`Timed out after ${timeout} ms: ${message}${cause}`);
}

/** Folders of one run; all inside `root`, none in $HOME. */
function runFolders(root: string) {
  return {
    root,
    userData: join(root, 'user-data'),
    extensions: join(root, 'extensions'),
    config: join(root, 'code-server.yaml'),
    xdgConfig: join(root, 'xdg-config'),
    xdgData: join(root, 'xdg-data'),
    xdgCache: join(root, 'xdg-cache'),
    tmp: join(root, 'tmp'),
    browserProfile: join(root, 'browser'),
    workspace: join(root, 'workspace'),
  };
}

export class Workbench {
  private constructor(
    readonly page: Page,
    private readonly context: BrowserContext,
    private readonly server: ChildProcess,
    private readonly folders: ReturnType<typeof runFolders>,
    private readonly serverOutput: string[],
    private readonly cleanupOnExit: () => void,
  ) {}

  /** Absolute path of the workspace copy the test works in. */
  get workspace(): string {
    return this.folders.workspace;
  }

  /**
   * Installs the packaged extension into a fresh profile, starts code-server on a free loopback
   * port, opens the fixture workspace in Chromium and waits for the workbench.
   */
  static async start(options: StartOptions): Promise<Workbench> {
    const node24 = requireEnv('SIM2REAL_NODE24');
    const codeServer = requireEnv('SIM2REAL_CODE_SERVER');
    const chromiumPath = requireEnv('SIM2REAL_CHROMIUM');
    const vsix = requireEnv('SIM2REAL_E2E_VSIX');
    if (!existsSync(vsix)) throw new Error(`SIM2REAL_E2E_VSIX=${vsix} does not exist`);

    const folders = runFolders(mkdtempSync(join(tmpdir(), 'sim2real-e2e-')));
    for (const dir of [folders.userData, folders.extensions, folders.xdgConfig, folders.xdgData, folders.xdgCache, folders.tmp]) {
      mkdirSync(dir, { recursive: true });
    }
    cpSync(join(repoRoot, 'test/fixtures', options.fixture), folders.workspace, { recursive: true });
    mkdirSync(join(folders.userData, 'User'), { recursive: true });
    writeFileSync(join(folders.userData, 'User/settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...options.settings }, null, 2));
    writeFileSync(folders.config, 'auth: none\ncert: false\n');

    // code-server, its extension host and Chromium write nothing outside the run folder.
    const env = {
      ...process.env,
      HOME: folders.root,
      XDG_CONFIG_HOME: folders.xdgConfig,
      XDG_DATA_HOME: folders.xdgData,
      XDG_CACHE_HOME: folders.xdgCache,
      TMPDIR: folders.tmp,
    };
    const profileArgs = ['--user-data-dir', folders.userData, '--extensions-dir', folders.extensions, '--config', folders.config];

    const install = spawnSync(node24, [codeServer, ...profileArgs, '--install-extension', vsix], { env, encoding: 'utf8', timeout: STARTUP_TIMEOUT });
    if (install.status !== 0 || !/successfully installed/i.test(install.stdout)) {
      rmSync(folders.root, { recursive: true, force: true });
      throw new Error(`code-server --install-extension ${vsix} failed (exit ${install.status}):\n${install.stdout}\n${install.stderr}`);
    }

    const port = await freeLoopbackPort();
    const serverOutput: string[] = [];
    // Own process group, so teardown can kill code-server together with its extension host.
    const server = spawn(
      node24,
      [codeServer, ...profileArgs, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry',
        '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', '--disable-proxy',
        folders.workspace],
      { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    server.stdout?.on('data', (chunk: Buffer) => serverOutput.push(chunk.toString()));
    server.stderr?.on('data', (chunk: Buffer) => serverOutput.push(chunk.toString()));
    // If the test process dies (timeout, Ctrl+C), take code-server and the run folder with it.
    // Playwright kills Chromium from its own exit handler.
    const cleanupOnExit = () => {
      signalGroup(server, 'SIGKILL');
      rmSync(folders.root, { recursive: true, force: true });
    };
    process.once('exit', cleanupOnExit);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => process.exit(128 + (signal === 'SIGHUP' ? 1 : signal === 'SIGINT' ? 2 : 15)));
    }

    let context: BrowserContext | undefined;
    try {
      await waitFor(async () => {
        if (server.exitCode !== null) throw new Error(`code-server exited with ${server.exitCode}:\n${serverOutput.join('')}`);
        const response = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
        return response?.ok ? true : undefined;
      }, `code-server on port ${port} to answer /healthz`, STARTUP_TIMEOUT, 200);

      context = await chromium.launchPersistentContext(folders.browserProfile, {
        executablePath: chromiumPath,
        env, // its crash reporter keeps a database under $XDG_CONFIG_HOME
        headless: true,
        viewport: { width: 1400, height: 900 },
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
          '--disable-component-update', '--disable-sync'],
      });
      const page = context.pages()[0] ?? (await context.newPage());
      page.setDefaultTimeout(UI_TIMEOUT);
      // The first page load starts VS Code's server side (~10 s on these machines): wait for the DOM only.
      await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(folders.workspace)}`, {
        waitUntil: 'domcontentloaded',
        timeout: STARTUP_TIMEOUT,
      });
      const workbench = new Workbench(page, context, server, folders, serverOutput, cleanupOnExit);
      await workbench.waitForWorkbench();
      return workbench;
    } catch (error) {
      const dir = saveArtifacts('startup', folders, serverOutput);
      await context?.pages()[0]?.screenshot({ path: join(dir, 'screenshot.png') }).catch(() => undefined);
      await context?.close().catch(() => undefined);
      await stopServer(server);
      rmSync(folders.root, { recursive: true, force: true });
      process.off('exit', cleanupOnExit);
      throw error;
    }
  }

  async waitForWorkbench(): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: STARTUP_TIMEOUT });
    // The explorer shows the workspace files once the file service and workspace are up.
    await this.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ state: 'visible', timeout: STARTUP_TIMEOUT });
  }

  /** The activity bar entry of a view container, e.g. "Sim2Real" (its aria-label may add a keybinding). */
  activityBarItem(title: string): Locator {
    return this.page.locator(`.activitybar .action-item a[aria-label^="${title}"]`);
  }

  /** Opens a workspace file through quick open and waits for its editor tab to be active. */
  async openFile(name: string): Promise<void> {
    await this.quickInput(name, name);
    await this.page.locator(`.tabs-container .tab.active[aria-label^="${name}"]`).waitFor({ state: 'visible' });
    await this.focusEditor();
  }

  /**
   * Runs a command by its palette title. Retries because a fresh profile can open the palette
   * before the extension's commands are registered ("No matching commands" until reopened).
   */
  /**
   * `opensQuickInput`: the command asks with a quick pick of its own, in the same widget, so the
   * palette is not waited on to close (it may never be seen hidden).
   */
  async runCommand(title: string, attempts = 5, options: { opensQuickInput?: boolean } = {}): Promise<void> {
    const widget = this.page.locator('.quick-input-widget');
    for (let attempt = 1; ; attempt++) {
      await this.page.keyboard.press('F1');
      const input = widget.locator('input.input');
      await input.waitFor({ state: 'visible' });
      await input.fill(`>${title}`);
      // The row's aria-label starts with the title (the label itself highlights matches in spans).
      const row = widget.locator(`.quick-input-list .monaco-list-row[aria-label^="${title.replace(/"/g, '\\"')}"]`);
      try {
        await row.first().waitFor({ state: 'visible', timeout: 5_000 });
      } catch {
        await this.page.keyboard.press('Escape');
        if (attempt === attempts) throw new Error(`Command "${title}" not found in the palette after ${attempts} attempts`);
        continue;
      }
      // Past this point no retry: the command must not run twice.
      await row.first().click();
      if (!options.opensQuickInput) await widget.waitFor({ state: 'hidden' });
      return;
    }
  }

  /** Moves the cursor with "Go to Line" (1-based line and column). */
  async goTo(line: number, column = 1): Promise<void> {
    await this.focusEditor();
    await this.quickInput(`:${line}:${column}`);
    await waitFor(async () => {
      const position = await this.page.locator('#status\\.editor\\.selection').innerText();
      return position.includes(`Ln ${line}, Col ${column}`) ? true : undefined;
    }, `the cursor to reach Ln ${line}, Col ${column}`);
  }

  /** Types into the focused editor literally (auto-indent and auto-closing are off). */
  async typeText(text: string): Promise<void> {
    await this.page.keyboard.type(text, { delay: 10 });
  }

  /** Visible text of the active editor, one string per line (the fixtures fit on one screen). */
  async readEditorText(): Promise<string[]> {
    return this.activeEditor().locator('.view-lines').evaluate((viewLines) =>
      Array.from(viewLines.querySelectorAll<HTMLElement>('.view-line'))
        .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
        .map((line) => (line.textContent ?? '').replace(/\u00a0/g, ' ')),
    );
  }

  /** Waits until the editor shows `line` (1-based) equal to `expected` and returns all lines. */
  async waitForEditorLine(line: number, expected: string): Promise<string[]> {
    return waitFor(async () => {
      const lines = await this.readEditorText();
      return lines[line - 1] === expected ? lines : undefined;
    }, `editor line ${line} to read ${JSON.stringify(expected)}`);
  }

  /** Opens the Problems panel and returns its marker rows, in panel order. */
  async readProblems(): Promise<Problem[]> {
    const panel = this.page.locator('.markers-panel');
    if (!(await panel.isVisible())) await this.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    await panel.waitFor({ state: 'visible' });
    const rows = await panel.locator('.monaco-list-row').evaluateAll((elements) =>
      // Runs in the page: no helper functions here (tsx's name helpers do not exist there).
      elements.map((row) => ({
        index: Number(row.getAttribute('data-index')),
        isMarker: row.querySelector('.marker-message') !== null, // file rows have none
        label: row.querySelector('.label-name')?.textContent?.trim() ?? '', // a file row's name
        icon: row.querySelector('.marker-icon')?.className ?? '',
        message: row.querySelector('.marker-message')?.textContent?.trim() ?? '',
        source: row.querySelector('.marker-source')?.textContent?.trim() ?? '',
        code: row.querySelector('.marker-code')?.textContent?.trim() ?? '',
        position: row.querySelector('.marker-line')?.textContent ?? '', // "[Ln 6, Col 46]"
      })),
    );
    // The list is a tree (file row, then its markers); DOM order need not be list order.
    rows.sort((a, b) => a.index - b.index);
    const problems: Problem[] = [];
    let file = '';
    for (const row of rows) {
      if (!row.isMarker) {
        file = row.label;
        continue;
      }
      const position = /Ln (\d+), Col (\d+)/.exec(row.position);
      problems.push({
        file,
        severity: /\berror\b/.test(row.icon) ? 'error' : /\bwarning\b/.test(row.icon) ? 'warning' : 'info',
        message: row.message,
        line: position ? Number(position[1]) : NaN,
        column: position ? Number(position[2]) : NaN,
        source: row.source,
        code: row.code,
      });
    }
    return problems;
  }

  /** Polls the Problems panel until `accept` holds; returns the last rows read. */
  async waitForProblems(accept: (problems: Problem[]) => boolean, description: string, timeout = UI_TIMEOUT): Promise<Problem[]> {
    let last: Problem[] = [];
    try {
      return await waitFor(async () => {
        last = await this.readProblems();
        return accept(last) ? last : undefined;
      }, description, timeout, 250);
    } catch (error) {
      throw new Error(`${(error as Error).message}\nProblems panel had:\n${formatProblems(last)}`);
    }
  }

  /** Opens the quick fix menu at the cursor and returns the titles it offers. */
  async triggerQuickFix(): Promise<string[]> {
    const rows = this.page.locator('.action-widget .monaco-list-row.action');
    // Either the menu opens or the editor says "No code actions available".
    const none = this.page.locator('.monaco-editor-overlaymessage', { hasText: 'No code actions' });
    await this.pressUntilVisible('Control+.', rows.first().or(none), 'the quick fix menu');
    if (await none.isVisible()) return [];
    return (await rows.allInnerTexts()).map((text) => text.trim());
  }

  /** Opens the quick fix menu at the cursor and applies the first action whose title starts with `titlePrefix`. */
  async applyCodeAction(titlePrefix: string): Promise<string> {
    const titles = await this.triggerQuickFix();
    const title = titles.find((t) => t.startsWith(titlePrefix));
    if (!title) {
      const where = await this.page.locator('#status\\.editor\\.selection').innerText().catch(() => '?');
      await this.page.keyboard.press('Escape');
      throw new Error(`No code action starting with "${titlePrefix}" at ${where}; offered: ${JSON.stringify(titles)}`);
    }
    const rows = this.page.locator('.action-widget .monaco-list-row.action');
    await rows.filter({ hasText: title }).first().click();
    await rows.first().waitFor({ state: 'hidden' });
    return title;
  }

  /**
   * Opens the suggest widget at the cursor and returns the labels it shows. The list is
   * virtualised: type a prefix first to find an item below the first dozen.
   */
  async triggerCompletion(): Promise<string[]> {
    const widget = this.page.locator('.editor-widget.suggest-widget');
    await this.pressUntilVisible('Control+Space', widget, 'the suggest widget');
    // The widget says "Loading..." until the providers answer, then lists or says "No suggestions."
    return waitFor(async () => {
      const message = widget.locator('.message');
      if ((await message.isVisible()) && /no suggestions/i.test(await message.innerText())) return [];
      const labels = await widget.locator('.monaco-list-row .label-name').allInnerTexts();
      return labels.length > 0 ? labels.map((label) => label.trim()) : undefined;
    }, 'the suggest widget to list suggestions or say there are none');
  }

  /**
   * Accepts the suggestion with exactly this label (it must be visible). A snippet with a choice
   * placeholder reopens the widget with the choices: press Escape to leave it.
   */
  async acceptCompletion(label: string): Promise<void> {
    const row = this.page.locator('.editor-widget.suggest-widget .monaco-list-row').filter({
      has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }),
    });
    await row.first().click();
    await row.first().waitFor({ state: 'hidden' });
  }

  /** Everything the extension host has logged so far (activation records and failures). */
  extensionHostLog(): string {
    const logs = join(this.folders.userData, 'logs');
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(dir, entry.name));
        else if (/exthost.*\.log$/i.test(entry.name)) files.push(join(dir, entry.name));
      }
    };
    if (existsSync(logs)) walk(logs);
    return files.map((file) => readFileSync(file, 'utf8')).join('\n');
  }

  /** Runs `body`; on failure saves a screenshot and the server and extension host logs, then rethrows. */
  async guard<T>(name: string, body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      const dir = saveArtifacts(name, this.folders, this.serverOutput);
      await this.page.screenshot({ path: join(dir, 'screenshot.png') }).catch(() => undefined);
      throw error;
    }
  }

  /** Closes Chromium, stops code-server and its extension host, removes the run folder. Safe to call twice. */
  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
    await stopServer(this.server);
    rmSync(this.folders.root, { recursive: true, force: true });
    process.off('exit', this.cleanupOnExit);
  }

  private activeEditor(): Locator {
    return this.page.locator('.editor-group-container.active .monaco-editor').first();
  }

  /**
   * Focuses the active editor without moving its cursor (a click in the text would), and waits
   * until Monaco reports the focus: a key pressed before that goes to the previous owner.
   */
  private async focusEditor(): Promise<void> {
    const editor = this.activeEditor();
    await editor.locator('.native-edit-context, textarea.inputarea').first().focus();
    const focused = this.page.locator('.editor-group-container.active .monaco-editor.focused');
    try {
      await focused.first().waitFor({ state: 'visible', timeout: 2_000 });
    } catch {
      // Clicking the active tab also focuses its editor and keeps the cursor where it is.
      await this.page.locator('.editor-group-container.active .tabs-container .tab.active').click();
      await focused.first().waitFor({ state: 'visible' });
    }
  }

  /** Presses `key` in the editor until `opened` is visible: a key can be lost while the workbench is busy. */
  private async pressUntilVisible(key: string, opened: Locator, what: string, attempts = 3): Promise<void> {
    for (let attempt = 1; attempt <= attempts; attempt++) {
      await this.focusEditor();
      await this.page.keyboard.press(key);
      try {
        await opened.first().waitFor({ state: 'visible', timeout: UI_TIMEOUT / attempts });
        return;
      } catch {
        if (attempt === attempts) throw new Error(`${what} did not open after pressing ${key} ${attempts} times`);
        await this.page.keyboard.press('Escape');
      }
    }
  }

  /** F1, replace the text, wait for a matching row (if `rowText`), Enter, wait for the widget to close. */
  private async quickInput(text: string, rowText?: string, timeout = UI_TIMEOUT): Promise<void> {
    const widget = this.page.locator('.quick-input-widget');
    await this.page.keyboard.press('F1');
    const input = widget.locator('input.input');
    await input.waitFor({ state: 'visible', timeout });
    await input.fill(text);
    if (rowText !== undefined) {
      await widget.locator('.quick-input-list .monaco-list-row', { hasText: rowText }).first().waitFor({ state: 'visible', timeout });
    }
    await input.press('Enter');
    await widget.waitFor({ state: 'hidden', timeout });
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is already gone
  }
}

/**
 * SIGTERM to code-server's process group (it and its extension host), SIGKILL after 5 s if it has
 * not exited, and SIGKILL to the group in any case for children that outlive it.
 */
async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    signalGroup(server, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(server, 'SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
  signalGroup(server, 'SIGKILL');
}

/** Copies the server output and VS Code's logs (extension host included) into .e2e/artifacts/<name>-<time>. */
function saveArtifacts(name: string, folders: ReturnType<typeof runFolders>, serverOutput: string[]): string {
  const dir = join(artifactsRoot, `${name.replace(/[^\w.-]+/g, '-')}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'code-server.log'), serverOutput.join(''));
  const logs = join(folders.userData, 'logs');
  if (existsSync(logs) && readdirSync(logs).length > 0) cpSync(logs, join(dir, 'vscode-logs'), { recursive: true });
  process.stderr.write(`e2e artifacts for "${name}": ${dir}\n`);
  return dir;
}

export function formatProblems(problems: Problem[]): string {
  if (problems.length === 0) return '  (none)';
  return problems.map((p) => `  ${p.file} Ln ${p.line}, Col ${p.column} ${p.severity} ${p.source}(${p.code}): ${p.message}`).join('\n');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
