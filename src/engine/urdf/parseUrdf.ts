/**
 * URDF text to a UrdfRobot, collecting every problem at its line instead of stopping at the first:
 * malformed XML, unknown joint types, links and joints that do not exist, non-positive masses,
 * inertias that are not positive definite, kinematic loops and second roots. Mesh files are not
 * read here (loadUrdf.ts does that), so this stays pure and fast enough to run as the user types.
 */
import { closestName } from '../util/didYouMean';
import type { Geometry, Inertial, InertiaTensor, JointLimit, JointType, Rgba, Shape, UrdfJoint, UrdfLink, UrdfProblem, UrdfRobot } from './model';
import { IDENTITY, normalize, quatFromRpy, type Transform, type Vec3 } from './transform';
import { childNamed, childrenNamed, parseXml, XmlSyntaxError, type XmlElement } from './xmlTree';

export interface ParsedUrdf {
  /** Undefined when an error leaves no usable robot. */
  readonly robot?: UrdfRobot;
  readonly problems: UrdfProblem[];
}

const JOINT_TYPES: readonly JointType[] = ['revolute', 'continuous', 'prismatic', 'fixed'];

export function parseUrdf(text: string, file: string): ParsedUrdf {
  const problems: UrdfProblem[] = [];
  const error = (line: number, message: string): void => void problems.push({ file, line, severity: 'error', message });
  const warning = (line: number, message: string): void => void problems.push({ file, line, severity: 'warning', message });
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (e) {
    if (e instanceof XmlSyntaxError) {
      problems.push({ file, line: e.line, column: e.column, severity: 'error', message: `malformed XML: ${e.message}` });
      return { problems };
    }
    throw e;
  }
  if (root.name !== 'robot') {
    error(root.line, `the root element is <${root.name}>; a URDF file has <robot name="..."> at its root${root.name === 'mujoco' ? ' (this looks like MJCF)' : ''}`);
    return { problems };
  }
  if (text.includes('xmlns:xacro') || root.children.some((c) => c.name.startsWith('xacro:'))) {
    error(root.line, 'this file uses xacro macros; expand it to plain URDF first: `xacro robot.urdf.xacro > robot.urdf` (ROS 2: `ros2 run xacro xacro robot.urdf.xacro -o robot.urdf`)');
    return { problems };
  }
  const numbers = new NumberReader(error);
  const materials = new Map<string, Rgba>();
  for (const m of childrenNamed(root, 'material')) {
    const rgba = materialColour(m, numbers);
    if (m.attributes.name && rgba) materials.set(m.attributes.name, rgba);
  }

  const links = new Map<string, UrdfLink>();
  for (const element of childrenNamed(root, 'link')) {
    const name = element.attributes.name;
    if (!name) {
      error(element.line, '<link> without a name');
      continue;
    }
    if (links.has(name)) {
      error(element.line, `a second link named '${name}' (the first is at line ${links.get(name)!.line})`);
      continue;
    }
    links.set(name, readLink(element, name, numbers, materials, error, warning));
  }

  const joints = new Map<string, UrdfJoint>();
  const childOf = new Map<string, UrdfJoint>();
  for (const element of childrenNamed(root, 'joint')) {
    const joint = readJoint(element, numbers, error, warning);
    if (!joint) continue;
    if (joints.has(joint.name)) {
      error(element.line, `a second joint named '${joint.name}' (the first is at line ${joints.get(joint.name)!.line})`);
      continue;
    }
    let usable = true;
    for (const [role, link, line] of [['parent', joint.parent, joint.parentLine], ['child', joint.child, joint.childLine]] as const) {
      if (!links.has(link)) {
        error(line, `joint '${joint.name}': its ${role} link '${link}' does not exist${suggest(link, links.keys())}`);
        usable = false;
      }
    }
    if (usable && joint.parent === joint.child) {
      error(element.line, `joint '${joint.name}' joins link '${joint.parent}' to itself`);
      usable = false;
    }
    const earlier = childOf.get(joint.child);
    if (usable && earlier) {
      error(element.line, `kinematic loop: link '${joint.child}' is the child of joint '${joint.name}' and of joint '${earlier.name}' (line ${earlier.line}); URDF describes trees only`);
      usable = false;
    }
    joints.set(joint.name, joint);
    if (usable) childOf.set(joint.child, joint);
  }

  if (links.size === 0) {
    error(root.line, 'the robot has no links');
    return { problems };
  }
  const roots = [...links.values()].filter((l) => !childOf.has(l.name));
  if (roots.length === 0) {
    error(root.line, 'kinematic loop: every link is some joint\'s child, so the robot has no root link');
    problems.sort((a, b) => a.line - b.line);
    return { problems };
  }
  if (roots.length > 1) {
    for (const extra of roots.slice(1)) {
      error(extra.line, `a second root: link '${extra.name}' is no joint's child, and neither is '${roots[0]!.name}' (line ${roots[0]!.line}); connect it with a joint`);
    }
  }
  // Links on a cycle are not reachable from the root (every link has at most one parent).
  const reached = new Set<string>([roots[0]!.name]);
  const frontier = [roots[0]!.name];
  while (frontier.length > 0) {
    const parent = frontier.pop()!;
    for (const j of childOf.values()) if (j.parent === parent && !reached.has(j.child)) {
      reached.add(j.child);
      frontier.push(j.child);
    }
  }
  for (const link of links.values()) {
    if (!reached.has(link.name) && childOf.has(link.name)) {
      error(childOf.get(link.name)!.line, `kinematic loop: link '${link.name}' cannot be reached from the root '${roots[0]!.name}' (its joints form a cycle)`);
    }
  }
  problems.sort((a, b) => a.line - b.line);
  if (problems.some((p) => p.severity === 'error')) return { problems };
  return { robot: { name: root.attributes.name ?? '', file, links, joints, root: roots[0]!.name }, problems };
}

function readLink(element: XmlElement, name: string, numbers: NumberReader, materials: ReadonlyMap<string, Rgba>, error: Report, warning: Report): UrdfLink {
  let inertial: Inertial | undefined;
  const inertialElement = childNamed(element, 'inertial');
  if (inertialElement) {
    const massElement = childNamed(inertialElement, 'mass');
    const inertiaElement = childNamed(inertialElement, 'inertia');
    const massKg = massElement ? numbers.scalar(massElement, 'value', NaN) : NaN;
    if (!massElement) error(inertialElement.line, `link '${name}': <inertial> without <mass value="...">`);
    else if (!(massKg > 0)) error(massElement.line, `link '${name}': mass ${massElement.attributes.value} kg; a link's mass must be positive (remove <inertial> for a massless frame)`);
    const inertia: InertiaTensor = {
      ixx: inertiaElement ? numbers.scalar(inertiaElement, 'ixx', 0) : 0,
      ixy: inertiaElement ? numbers.scalar(inertiaElement, 'ixy', 0) : 0,
      ixz: inertiaElement ? numbers.scalar(inertiaElement, 'ixz', 0) : 0,
      iyy: inertiaElement ? numbers.scalar(inertiaElement, 'iyy', 0) : 0,
      iyz: inertiaElement ? numbers.scalar(inertiaElement, 'iyz', 0) : 0,
      izz: inertiaElement ? numbers.scalar(inertiaElement, 'izz', 0) : 0,
    };
    const at = inertiaElement?.line ?? inertialElement.line;
    if (!inertiaElement) error(at, `link '${name}': <inertial> without <inertia ixx=... iyy=... izz=...>`);
    else if (!isPositiveDefinite(inertia)) error(at, `link '${name}': the inertia tensor is not positive definite (ixx ${inertia.ixx}, iyy ${inertia.iyy}, izz ${inertia.izz}, ixy ${inertia.ixy}, ixz ${inertia.ixz}, iyz ${inertia.iyz}); a rigid body's is`);
    else if (!satisfiesTriangle(inertia)) warning(at, `link '${name}': the inertia's principal moments break the triangle inequality (each must be at most the sum of the other two), which no rigid body has; the simulator uses it as written`);
    inertial = { massKg, origin: numbers.origin(inertialElement), inertia };
  }
  const shapes = (tag: 'visual' | 'collision'): Shape[] => {
    const out: Shape[] = [];
    for (const s of childrenNamed(element, tag)) {
      const geometryElement = childNamed(s, 'geometry');
      if (!geometryElement) {
        error(s.line, `link '${name}': <${tag}> without <geometry>`);
        continue;
      }
      const geometry = readGeometry(geometryElement, name, numbers, error);
      if (!geometry) continue;
      let rgba: Rgba | undefined;
      const material = tag === 'visual' ? childNamed(s, 'material') : undefined;
      if (material) {
        rgba = materialColour(material, numbers);
        if (!rgba && material.attributes.name) {
          rgba = materials.get(material.attributes.name);
          if (!rgba) warning(material.line, `link '${name}': material '${material.attributes.name}' has no colour defined in this file; drawn grey`);
        }
      }
      out.push({ origin: numbers.origin(s), geometry, line: s.line, ...(rgba ? { rgba } : {}) });
    }
    return out;
  };
  return { name, line: element.line, ...(inertial ? { inertial } : {}), visuals: shapes('visual'), collisions: shapes('collision') };
}

function readGeometry(element: XmlElement, link: string, numbers: NumberReader, error: Report): Geometry | undefined {
  const shape = element.children[0];
  if (!shape) {
    error(element.line, `link '${link}': empty <geometry>`);
    return undefined;
  }
  const positive = (value: number, what: string): boolean => {
    if (value > 0) return true;
    error(shape.line, `link '${link}': ${what} must be positive`);
    return false;
  };
  switch (shape.name) {
    case 'box': {
      const size = numbers.vector(shape, 'size');
      if (!size) {
        error(shape.line, `link '${link}': <box> needs size="x y z"`);
        return undefined;
      }
      return positive(Math.min(...size), 'every side of a box') ? { kind: 'box', size } : undefined;
    }
    case 'cylinder': {
      const radius = numbers.scalar(shape, 'radius', NaN);
      const length = numbers.scalar(shape, 'length', NaN);
      return positive(radius, 'a cylinder\'s radius') && positive(length, 'a cylinder\'s length') ? { kind: 'cylinder', radius, length } : undefined;
    }
    case 'sphere': {
      const radius = numbers.scalar(shape, 'radius', NaN);
      return positive(radius, 'a sphere\'s radius') ? { kind: 'sphere', radius } : undefined;
    }
    case 'mesh': {
      const filename = shape.attributes.filename;
      if (!filename) {
        error(shape.line, `link '${link}': <mesh> without a filename`);
        return undefined;
      }
      const scale = numbers.vector(shape, 'scale') ?? [1, 1, 1];
      return { kind: 'mesh', filename, scale };
    }
    default:
      error(shape.line, `link '${link}': unknown geometry <${shape.name}> (URDF has box, cylinder, sphere and mesh)`);
      return undefined;
  }
}

function readJoint(element: XmlElement, numbers: NumberReader, error: Report, warning: Report): UrdfJoint | undefined {
  const name = element.attributes.name;
  const type = element.attributes.type;
  if (!name) {
    error(element.line, '<joint> without a name');
    return undefined;
  }
  if (!JOINT_TYPES.includes(type as JointType)) {
    const hint = type === 'floating' || type === 'planar' ? ` ('${type}' joints are not supported: an arm's base is fixed)` : '';
    error(element.line, `joint '${name}': type '${type ?? ''}' is not one of ${JOINT_TYPES.join(', ')}${hint}`);
    return undefined;
  }
  const parentElement = childNamed(element, 'parent');
  const childElement = childNamed(element, 'child');
  const parent = parentElement?.attributes.link;
  const child = childElement?.attributes.link;
  if (!parent || !child) {
    error(element.line, `joint '${name}': needs <parent link="..."/> and <child link="..."/>`);
    return undefined;
  }
  const mimic = childNamed(element, 'mimic');
  if (mimic) {
    error(mimic.line, `joint '${name}' mimics '${mimic.attributes.joint ?? '?'}': mimic joints are not supported; make it a fixed joint, or an independent joint and leave it out of the controlled joints`);
  }
  const axisElement = childNamed(element, 'axis');
  let axis: Vec3 = [1, 0, 0];
  if (axisElement) {
    const v = numbers.vector(axisElement, 'xyz');
    if (v && Math.hypot(...v) > 1e-9) axis = normalize(v);
    else if (type !== 'fixed') error(axisElement.line, `joint '${name}': the axis must be a non-zero vector "x y z"`);
  }
  const limitElement = childNamed(element, 'limit');
  let limit: JointLimit = { lower: -Infinity, upper: Infinity, effort: Infinity, velocity: Infinity };
  if (limitElement) {
    const lower = numbers.scalar(limitElement, 'lower', 0);
    const upper = numbers.scalar(limitElement, 'upper', 0);
    const effort = numbers.scalar(limitElement, 'effort', Infinity);
    const velocity = numbers.scalar(limitElement, 'velocity', Infinity);
    if (effort <= 0) error(limitElement.line, `joint '${name}': effort limit ${effort} must be positive`);
    if (velocity <= 0) error(limitElement.line, `joint '${name}': velocity limit ${velocity} must be positive`);
    if (type === 'continuous') limit = { lower: -Infinity, upper: Infinity, effort, velocity };
    else {
      if (lower > upper) error(limitElement.line, `joint '${name}': lower limit ${lower} is above upper limit ${upper}`);
      limit = { lower, upper, effort, velocity };
    }
  } else if (type === 'revolute' || type === 'prismatic') {
    error(element.line, `joint '${name}': a ${type} joint needs <limit lower=... upper=... effort=... velocity=...>`);
  }
  if (type === 'revolute' && limitElement && limit.upper - limit.lower > 2 * Math.PI + 1e-6) {
    warning(limitElement.line, `joint '${name}': its range is more than a full turn; a 'continuous' joint may be what is meant`);
  }
  const dynamics = childNamed(element, 'dynamics');
  const damping = dynamics ? numbers.scalar(dynamics, 'damping', 0) : 0;
  const friction = dynamics ? numbers.scalar(dynamics, 'friction', 0) : 0;
  if (dynamics && (damping < 0 || friction < 0)) error(dynamics.line, `joint '${name}': damping and friction cannot be negative`);
  return { name, line: element.line, type: type as JointType, parent, child, parentLine: parentElement!.line, childLine: childElement!.line, origin: numbers.origin(element), axis, limit, damping, friction };
}

function materialColour(material: XmlElement, numbers: NumberReader): Rgba | undefined {
  const color = childNamed(material, 'color');
  if (!color) return undefined;
  const v = numbers.list(color, 'rgba', 4);
  return v ? [v[0]!, v[1]!, v[2]!, v[3]!] : undefined;
}

type Report = (line: number, message: string) => void;

/** Reads numeric attributes, reporting any that is not a number at its element's line. */
class NumberReader {
  constructor(private readonly error: Report) {}

  scalar(element: XmlElement, attribute: string, fallback: number): number {
    const raw = element.attributes[attribute];
    if (raw === undefined) return fallback;
    const value = Number(raw.trim());
    if (raw.trim() === '' || !Number.isFinite(value)) {
      this.error(element.line, `<${element.name}> ${attribute}="${raw}" is not a number`);
      return fallback;
    }
    return value;
  }

  list(element: XmlElement, attribute: string, count: number): number[] | undefined {
    const raw = element.attributes[attribute];
    if (raw === undefined) return undefined;
    const parts = raw.trim().split(/\s+/).map(Number);
    if (parts.length !== count || parts.some((v) => !Number.isFinite(v))) {
      this.error(element.line, `<${element.name}> ${attribute}="${raw}" is not ${count} numbers`);
      return undefined;
    }
    return parts;
  }

  vector(element: XmlElement, attribute: string): Vec3 | undefined {
    const v = this.list(element, attribute, 3);
    return v ? [v[0]!, v[1]!, v[2]!] : undefined;
  }

  origin(parent: XmlElement): Transform {
    const element = childNamed(parent, 'origin');
    if (!element) return IDENTITY;
    const p = this.vector(element, 'xyz') ?? [0, 0, 0];
    const rpy = this.vector(element, 'rpy') ?? [0, 0, 0];
    return { p, q: quatFromRpy(rpy[0], rpy[1], rpy[2]) };
  }
}

/** Sylvester's criterion on the symmetric 3×3 tensor. */
export function isPositiveDefinite(i: InertiaTensor): boolean {
  const m1 = i.ixx;
  const m2 = i.ixx * i.iyy - i.ixy * i.ixy;
  const det = i.ixx * (i.iyy * i.izz - i.iyz * i.iyz) - i.ixy * (i.ixy * i.izz - i.iyz * i.ixz) + i.ixz * (i.ixy * i.iyz - i.iyy * i.ixz);
  return m1 > 0 && m2 > 0 && det > 0;
}

/** The diagonal's triangle inequality (a necessary condition, exact for principal axes), with a tolerance for rounding in CAD exports. */
function satisfiesTriangle(i: InertiaTensor): boolean {
  const tol = 1e-6 * (i.ixx + i.iyy + i.izz);
  return i.ixx + i.iyy >= i.izz - tol && i.iyy + i.izz >= i.ixx - tol && i.ixx + i.izz >= i.iyy - tol;
}

function suggest(name: string, candidates: Iterable<string>): string {
  const best = closestName(name, candidates);
  return best !== undefined ? `; did you mean '${best}'?` : '';
}
