/**
 * Where a URDF's mesh filename points: `package://NAME/...` through a search path (the user's
 * setting, then the folders above the URDF, as ROS description packages are laid out), `file://`
 * URIs and paths relative to the URDF.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type MeshPath = { readonly path: string } | { readonly error: string };

export function resolveMeshPath(filename: string, urdfFile: string, packagePath: readonly string[]): MeshPath {
  const urdfDir = dirname(urdfFile);
  if (filename.startsWith('package://')) {
    const rest = filename.slice('package://'.length);
    const slash = rest.indexOf('/');
    const name = slash < 0 ? rest : rest.slice(0, slash);
    const inside = slash < 0 ? '' : rest.slice(slash + 1);
    const tried: string[] = [];
    for (const root of [...packagePath, ...ancestors(urdfDir)]) {
      for (const candidate of [basename(root) === name ? join(root, inside) : undefined, join(root, name, inside)]) {
        if (candidate === undefined) continue;
        tried.push(candidate);
        if (existsSync(candidate)) return { path: candidate };
      }
    }
    return { error: `package '${name}' has no file '${inside}' on the search path (the sim2real.robotPackagePath setting, then the folders above the URDF); tried ${tried.length} places, e.g. ${tried.slice(0, 2).join(', ')}` };
  }
  if (filename.startsWith('file://')) {
    const path = fileURLToPath(filename);
    return existsSync(path) ? { path } : { error: `no such file: ${path}` };
  }
  if (/^[a-z]+:\/\//i.test(filename)) return { error: `'${filename}': only package://, file:// and file paths are read (nothing is downloaded)` };
  const path = isAbsolute(filename) ? filename : resolve(urdfDir, filename);
  return existsSync(path) ? { path } : { error: `no such file: ${path}` };
}

function ancestors(dir: string): string[] {
  const out: string[] = [];
  let current = resolve(dir);
  for (;;) {
    out.push(current);
    const parent = dirname(current);
    if (parent === current) return out;
    current = parent;
  }
}
