/**
 * Load a robot description from disk: the URDF, its STL meshes, and the tree of bodies the
 * simulator builds. Every problem comes back at its file and line; nothing here throws on bad
 * input, and a mesh over the size limit is refused from its size before a byte of it is read.
 */
import { readFileSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { buildKinematicTree, type KinematicTree } from './kinematicTree';
import type { Shape, UrdfLink, UrdfProblem, UrdfRobot } from './model';
import { resolveMeshPath } from './meshPaths';
import { parseUrdf } from './parseUrdf';
import { parseStl, StlError } from './stl';

export interface LoadUrdfOptions {
  /** The file's text as an editor holds it (unsaved edits included); read from disk when absent. */
  readonly text?: string;
  /** Skip reading meshes (their paths are still resolved): for checks as the user types. */
  readonly skipMeshes?: boolean;
  /** Folders that hold ROS packages, searched for package:// URIs before the URDF's own ancestors. */
  readonly packagePath?: readonly string[];
  /** Largest mesh file read, bytes. [default: 50 MB] */
  readonly maxMeshBytes?: number;
}

export interface LoadedRobot {
  readonly tree?: KinematicTree;
  readonly problems: readonly UrdfProblem[];
}

export const DEFAULT_MAX_MESH_BYTES = 50 * 1024 * 1024;

export function loadUrdf(file: string, options: LoadUrdfOptions = {}): LoadedRobot {
  const path = resolve(file);
  if (/\.xacro$/i.test(path)) {
    return fail(path, 1, 'a .xacro file is a macro source, not URDF; expand it first: `xacro robot.urdf.xacro > robot.urdf` (ROS 2: `ros2 run xacro xacro robot.urdf.xacro -o robot.urdf`) and name the .urdf');
  }
  let text: string;
  try {
    if (options.text !== undefined) text = options.text;
    else {
      if (statSync(path).size > 16 * 1024 * 1024) return fail(path, 1, 'the URDF file is over 16 MB; a robot description is text of a few hundred KB at most');
      text = readFileSync(path, 'utf8');
    }
  } catch (e) {
    return fail(path, 1, (e as NodeJS.ErrnoException).code === 'ENOENT' ? `no such URDF file: ${path}` : `cannot read the URDF: ${(e as Error).message}`);
  }
  const parsed = parseUrdf(text, path);
  const problems = [...parsed.problems];
  if (!parsed.robot) return { problems };
  const robot = withMeshes(parsed.robot, options, problems);
  if (problems.some((p) => p.severity === 'error')) return { problems };
  const built = buildKinematicTree(robot);
  problems.push(...built.problems);
  return built.tree && !problems.some((p) => p.severity === 'error') ? { tree: built.tree, problems } : { problems };
}

function withMeshes(robot: UrdfRobot, options: LoadUrdfOptions, problems: UrdfProblem[]): UrdfRobot {
  const limit = options.maxMeshBytes ?? DEFAULT_MAX_MESH_BYTES;
  const cache = new Map<string, Shape['geometry']>();
  const load = (link: UrdfLink, shape: Shape): Shape => {
    const g = shape.geometry;
    if (g.kind !== 'mesh') return shape;
    const error = (message: string): Shape => {
      problems.push({ file: robot.file, line: shape.line, severity: 'error', message: `link '${link.name}': mesh '${g.filename}': ${message}` });
      return shape;
    };
    const where = resolveMeshPath(g.filename, robot.file, options.packagePath ?? []);
    if ('error' in where) return error(where.error);
    const ext = extname(where.path).toLowerCase();
    if (ext !== '.stl') return error(`${ext || 'this'} meshes are not read; only STL (binary or ASCII). Convert it (e.g. \`meshlab\` or \`assimp export\`) or use a primitive shape`);
    if (options.skipMeshes) return shape;
    const key = `${where.path}|${g.scale.join(',')}`;
    const cached = cache.get(key);
    if (cached) return { ...shape, geometry: cached };
    let bytes: Buffer;
    try {
      const size = statSync(where.path).size;
      if (size > limit) return error(`${(size / 1048576).toFixed(1)} MB is over the ${(limit / 1048576).toFixed(0)} MB limit for one mesh; simplify it (e.g. MeshLab's quadric edge collapse) or use a primitive collision shape`);
      bytes = readFileSync(where.path);
    } catch (e) {
      return error(`cannot read it: ${(e as Error).message}`);
    }
    try {
      const mesh = parseStl(bytes);
      const v = mesh.vertices;
      for (let i = 0; i < v.length; i += 3) {
        v[i] *= g.scale[0];
        v[i + 1] *= g.scale[1];
        v[i + 2] *= g.scale[2];
      }
      if (v.length < 12) return error('fewer than four distinct vertices: it encloses no volume');
      const geometry = { ...g, mesh: { path: where.path, vertices: v, indices: mesh.indices, triangles: mesh.triangles, bytes: bytes.length } };
      cache.set(key, geometry);
      return { ...shape, geometry };
    } catch (e) {
      if (e instanceof StlError) return error(e.message);
      throw e;
    }
  };
  const links = new Map<string, UrdfLink>();
  for (const link of robot.links.values()) {
    links.set(link.name, { ...link, visuals: link.visuals.map((s) => load(link, s)), collisions: link.collisions.map((s) => load(link, s)) });
  }
  return { ...robot, links };
}

function fail(file: string, line: number, message: string): LoadedRobot {
  return { problems: [{ file, line, severity: 'error', message }] };
}
