/**
 * A software camera for the table scene: one analytic ray per pixel (or ss x ss per pixel) against
 * the scene's few primitives (floor plane, table box, three link boxes, the finger and the puck as
 * vertical cylinders, a goal marker painted on the table), Lambert + ambient shading from a point
 * light with hard shadows, procedural or image textures, then the sensor effects (white balance,
 * gamma, box blur, Gaussian noise). Rapier's ray casts cost ~1.3 us a ray (facts.md); a closed-form
 * test against eight primitives costs a few tens of ns.
 *
 * Hot loop rules (STYLE 14): no allocation per pixel, scratch buffers kept per image size, hit
 * records in module-level variables.
 */
import { ARM } from '../sim/tasks/arm';
import { PUCK, TABLE } from '../sim/tasks/tableScene';
import type { Appearance, SurfaceAppearance } from './appearance';
import { cameraBasis, type Camera, type CameraBasis } from './camera';
import { applySensorEffects } from './sensorEffects';
import type { SceneView } from './sceneView';
import { textureColor } from './textures';
import type { RgbImage } from './types';
import type { Rng } from '../util/rng';

export interface RenderOptions {
  /** Image to write into (reused between frames); its size must match the intrinsics. */
  readonly out?: RgbImage;
  /** Samples per pixel along each axis (antialiasing): 1 is one ray a pixel. [default: 1] */
  readonly samplesPerAxis?: number;
  /**
   * Samples per axis for the pixels around the puck and the finger (at least samplesPerAxis): their
   * edges carry the sub-pixel position a perception model estimates, as a real sensor's pixels
   * integrate the light over their area. Costs a few percent at 64x64. [default: 3]
   */
  readonly objectSamplesPerAxis?: number;
  /** Draws of the pixel noise; a fixed-seed generator when absent (same frame, same noise). */
  readonly noiseRng?: Rng;
}

/** Radius of the goal / target marker painted on the table, m. */
export const MARKER_RADIUS_M = 0.03;

// Primitive ids, also the index of the surface they use.
const FLOOR = 0;
const TABLE_ID = 1;
const LINK = 2; // 2, 3, 4
const FINGER = 5;
const PUCK_ID = 6;
const MARKER = 7;
const NONE = -1;

/** Per-frame geometry: box centre x y z, cos yaw, sin yaw, half extents x y z (8 numbers a box). */
const boxes = new Float64Array(4 * 8);
/** Cylinders (finger, puck): centre x y, z bottom, z top, radius, cos yaw, sin yaw. */
const cylinders = new Float64Array(2 * 7);
/** 1 without a puck, 2 with one. */
let cylinderCount = 2;
/**
 * Per primitive k (table, links 1-3, finger, puck): the pixel rectangle its bounding box projects
 * to (u0, u1, v0, v1; the whole image when it reaches behind the camera), and the rectangle of the
 * table top its shadow can fall on (x0, x1, y0, y1, m). Most pixels see only the table, and most
 * table points no shadow: two comparisons skip the exact tests there.
 */
const screenRects = new Float64Array(6 * 4);
const shadowRects = new Float64Array(6 * 4);
/** The pixel (u, v) of the ray under test, for the screen rectangles. */
let pixelU = 0;
let pixelV = 0;
/** Bounding spheres by primitive (table, links 1-3, finger, puck): centre x y z, radius^2. */
const bounds = new Float64Array(6 * 4);

// Hit record of the last successful test.
let hitAxis = 0;
let hitSign = 1;
let hitCap = 0;

export function renderCamera(view: SceneView, appearance: Appearance, camera: Camera, options: RenderOptions = {}): RgbImage {
  const { widthPx: width, heightPx: height } = camera.intrinsics;
  const out = options.out ?? { width, height, data: new Uint8Array(width * height * 3) };
  if (out.width !== width || out.height !== height || out.data.length !== width * height * 3) {
    throw new Error(`output image is ${out.width}x${out.height}, the camera renders ${width}x${height}`);
  }
  const ss = options.samplesPerAxis ?? 1;
  if (!Number.isInteger(ss) || ss < 1 || ss > 8) throw new Error(`samplesPerAxis must be a whole number from 1 to 8, got ${ss}`);
  const objectSs = Math.max(ss, options.objectSamplesPerAxis ?? 3);
  if (!Number.isInteger(objectSs) || objectSs > 8) throw new Error(`objectSamplesPerAxis must be a whole number up to 8, got ${options.objectSamplesPerAxis}`);
  const frame = cameraBasis(camera);
  layoutScene(view);
  computeRects(frame, width, height, view.tableTopZ, appearance.lightPosition);
  const linear = scratchLinear(width * height * 3);
  const ox = frame.origin[0];
  const oy = frame.origin[1];
  const oz = frame.origin[2];
  const f = frame.focalLengthPx;
  const fx = frame.forward[0] * f;
  const fy = frame.forward[1] * f;
  const fz = frame.forward[2] * f;
  const rx = frame.right[0];
  const ry = frame.right[1];
  const rz = frame.right[2];
  const ux = frame.up[0];
  const uy = frame.up[1];
  const uz = frame.up[2];
  const surfaces = surfaceTable(appearance);
  const bg = appearance.backgroundColor;
  const marker = view.marker;
  let k = 0;
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      let r = 0;
      let g = 0;
      let b = 0;
      const n = objectSs > ss && nearObject(i, j) ? objectSs : ss;
      const inv = 1 / (n * n);
      for (let sj = 0; sj < n; sj++) {
        const pv = frame.centerV - (j + (sj + 0.5) / n);
        pixelV = j;
        for (let si = 0; si < n; si++) {
          const pu = i + (si + 0.5) / n - frame.centerU;
          pixelU = i;
          // Ray direction, not normalized: t is in units of this vector.
          ray[0] = ox;
          ray[1] = oy;
          ray[2] = oz;
          ray[3] = fx + rx * pu + ux * pv;
          ray[4] = fy + ry * pu + uy * pv;
          ray[5] = fz + rz * pu + uz * pv;
          shadeRay(appearance, surfaces, bg, marker, view.tableTopZ);
          r += shade[0];
          g += shade[1];
          b += shade[2];
        }
      }
      linear[k] = r * inv;
      linear[k + 1] = g * inv;
      linear[k + 2] = b * inv;
      k += 3;
    }
  }
  applySensorEffects(linear, out, appearance, options.noiseRng);
  return out;
}

const shade = new Float64Array(3);
const texel = new Float64Array(3);
/**
 * The ray under test: origin x y z, direction x y z, tMax, then the hit's t. Doubles passed to or
 * returned from a function call are boxed by V8 (an allocation per call); in a typed array they
 * stay unboxed, which halved the frame time.
 */
const ray = new Float64Array(8);
const T_MAX = 6;
const T_HIT = 7;

function shadeRay(appearance: Appearance, surfaces: SurfaceAppearance[], bg: readonly number[], marker: { x: number; y: number } | undefined, tableTopZ: number): void {
  const ox = ray[0];
  const oy = ray[1];
  const oz = ray[2];
  const dx = ray[3];
  const dy = ray[4];
  const dz = ray[5];
  let best = Infinity;
  let id = NONE;
  let axis = 0;
  let sign = 1;
  let cap = 0;
  // Floor plane z = 0, seen from above.
  if (dz < 0 && oz > 0) {
    best = -oz / dz;
    id = FLOOR;
  }
  for (let p = 0; p < 4; p++) {
    if (p > 0 && outsideScreenRect(p)) continue;
    ray[T_MAX] = best;
    if (rayBox(p)) {
      best = ray[T_HIT];
      id = p === 0 ? TABLE_ID : LINK + p - 1;
      axis = hitAxis;
      sign = hitSign;
    }
  }
  for (let c = 0; c < cylinderCount; c++) {
    if (outsideScreenRect(4 + c)) continue;
    ray[T_MAX] = best;
    if (rayCylinder(c)) {
      best = ray[T_HIT];
      id = c === 0 ? FINGER : PUCK_ID;
      cap = hitCap;
    }
  }
  if (id === NONE) {
    shade[0] = bg[0];
    shade[1] = bg[1];
    shade[2] = bg[2];
    return;
  }
  const px = ox + dx * best;
  const py = oy + dy * best;
  const pz = oz + dz * best;
  let nx = 0;
  let ny = 0;
  let nz = 1;
  let u = 0;
  let v = 0;
  let surface: SurfaceAppearance;
  if (id === FLOOR) {
    surface = surfaces[FLOOR];
    u = px;
    v = py;
  } else if (id <= LINK + 2) {
    const o = (id - TABLE_ID) * 8;
    const c = boxes[o + 3];
    const s = boxes[o + 4];
    const qx = px - boxes[o];
    const qy = py - boxes[o + 1];
    // Surface coordinates from the box's corner, so a tile starts at an edge.
    const lx = c * qx + s * qy + boxes[o + 5];
    const ly = -s * qx + c * qy + boxes[o + 6];
    const lz = pz - boxes[o + 2] + boxes[o + 7];
    if (axis === 0) {
      nx = c * sign;
      ny = s * sign;
      nz = 0;
      u = ly;
      v = lz;
    } else if (axis === 1) {
      nx = -s * sign;
      ny = c * sign;
      nz = 0;
      u = lx;
      v = lz;
    } else {
      nz = sign;
      u = lx;
      v = ly;
    }
    surface = surfaces[id];
    // The marker is paint on the table top.
    if (id === TABLE_ID && marker && axis === 2 && sign > 0) {
      const mx = px - marker.x;
      const my = py - marker.y;
      if (mx * mx + my * my <= MARKER_RADIUS_M * MARKER_RADIUS_M) {
        surface = surfaces[MARKER];
        u = mx + MARKER_RADIUS_M;
        v = my + MARKER_RADIUS_M;
      }
    }
  } else {
    const o = (id - FINGER) * 7;
    const c = cylinders[o + 5];
    const s = cylinders[o + 6];
    const qx = px - cylinders[o];
    const qy = py - cylinders[o + 1];
    const radius = cylinders[o + 4];
    const lx = c * qx + s * qy;
    const ly = -s * qx + c * qy;
    if (cap !== 0) {
      nz = cap;
      u = lx + radius;
      v = ly + radius;
    } else {
      nx = qx / radius;
      ny = qy / radius;
      nz = 0;
      u = (Math.atan2(ly, lx) + Math.PI) * radius;
      v = pz - cylinders[o + 2];
    }
    // The finger is part of link3 and wears its surface.
    surface = surfaces[id];
  }
  textureColor(surface, u, v, texel);
  if (id === FLOOR && surface.texture === 'solid') {
    // A plain floor is the background colour: background_color paints everything behind the table.
    texel[0] = bg[0];
    texel[1] = bg[1];
    texel[2] = bg[2];
  }
  // Lambert from the point light; hard shadow when a body lies between the point and the light.
  const L = appearance.lightPosition;
  const lx = L[0] - px;
  const ly = L[1] - py;
  const lz = L[2] - pz;
  const dist = Math.sqrt(lx * lx + ly * ly + lz * lz);
  let lambert = (nx * lx + ny * ly + nz * lz) / dist;
  if (lambert > 0 && appearance.shadows) {
    ray[0] = px + nx * 1e-5;
    ray[1] = py + ny * 1e-5;
    ray[2] = pz + nz * 1e-5;
    ray[3] = lx;
    ray[4] = ly;
    ray[5] = lz;
    if (occluded(id, id === TABLE_ID && axis === 2 && sign > 0, tableTopZ)) lambert = 0;
  }
  if (lambert < 0) lambert = 0;
  const light = appearance.lightIntensity * (appearance.ambient + (1 - appearance.ambient) * lambert);
  shade[0] = texel[0] * light;
  shade[1] = texel[1] * light;
  shade[2] = texel[2] * light;
}

/** Does a body lie on the segment in `ray` from a surface point to the light (t in (0, 1))? */
function occluded(self: number, onTableTop: boolean, tableTopZ: number): boolean {
  ray[T_MAX] = 1;
  const x = ray[0];
  const y = ray[1];
  // The table only shades the floor: nothing else is under it.
  if (self === FLOOR && rayBox(0)) return true;
  // Points above the arm see the light past it (the light is above the arm).
  if (ray[2] > ARM.armHeightM + ARM.linkHalfThicknessM || tableTopZ > ARM.armHeightM) return false;
  for (let p = 1; p < 4; p++) {
    if (self === LINK + p - 1 || (onTableTop && outsideShadowRect(p, x, y))) continue;
    if (rayBox(p)) return true;
  }
  for (let c = 0; c < cylinderCount; c++) {
    if (self === FINGER + c || (onTableTop && outsideShadowRect(4 + c, x, y))) continue;
    if (rayCylinder(c)) return true;
  }
  return false;
}

/** Is pixel (i, j) in the screen rectangle of the finger or the puck? */
function nearObject(i: number, j: number): boolean {
  for (let k = 4; k < 4 + cylinderCount; k++) {
    const o = k * 4;
    if (i >= screenRects[o] && i <= screenRects[o + 1] && j >= screenRects[o + 2] && j <= screenRects[o + 3]) return true;
  }
  return false;
}

function outsideScreenRect(k: number): boolean {
  const o = k * 4;
  return pixelU < screenRects[o] || pixelU > screenRects[o + 1] || pixelV < screenRects[o + 2] || pixelV > screenRects[o + 3];
}

function outsideShadowRect(k: number, x: number, y: number): boolean {
  const o = k * 4;
  return x < shadowRects[o] || x > shadowRects[o + 1] || y < shadowRects[o + 2] || y > shadowRects[o + 3];
}

/** Does the ray miss primitive k's bounding sphere (centre x y z, radius^2 in `bounds`)? */
function missesBounds(k: number): boolean {
  const o = k * 4;
  const qx = bounds[o] - ray[0];
  const qy = bounds[o + 1] - ray[1];
  const qz = bounds[o + 2] - ray[2];
  const dx = ray[3];
  const dy = ray[4];
  const dz = ray[5];
  const qd = qx * dx + qy * dy + qz * dz;
  const dd = dx * dx + dy * dy + dz * dz;
  return qx * qx + qy * qy + qz * qz - (qd * qd) / dd > bounds[o + 3];
}

/** Ray against box p (slabs in its yawed frame); on a hit before tMax, t goes to ray[T_HIT]. */
function rayBox(p: number): boolean {
  if (p > 0 && missesBounds(p)) return false;
  const o = p * 8;
  const c = boxes[o + 3];
  const s = boxes[o + 4];
  const qx = ray[0] - boxes[o];
  const qy = ray[1] - boxes[o + 1];
  const lox = c * qx + s * qy;
  const loy = -s * qx + c * qy;
  const loz = ray[2] - boxes[o + 2];
  const ldx = c * ray[3] + s * ray[4];
  const ldy = -s * ray[3] + c * ray[4];
  const ldz = ray[5];
  const hx = boxes[o + 5];
  const hy = boxes[o + 6];
  const hz = boxes[o + 7];
  let tNear = -Infinity;
  let tFar = ray[T_MAX];
  let axis = 0;
  let sign = 1;
  if (ldx !== 0) {
    const a = (-hx - lox) / ldx;
    const b = (hx - lox) / ldx;
    const t0 = a < b ? a : b;
    const t1 = a < b ? b : a;
    if (t0 > tNear) {
      tNear = t0;
      axis = 0;
      sign = a < b ? -1 : 1;
    }
    if (t1 < tFar) tFar = t1;
  } else if (lox < -hx || lox > hx) return false;
  if (ldy !== 0) {
    const a = (-hy - loy) / ldy;
    const b = (hy - loy) / ldy;
    const t0 = a < b ? a : b;
    const t1 = a < b ? b : a;
    if (t0 > tNear) {
      tNear = t0;
      axis = 1;
      sign = a < b ? -1 : 1;
    }
    if (t1 < tFar) tFar = t1;
  } else if (loy < -hy || loy > hy) return false;
  if (ldz !== 0) {
    const a = (-hz - loz) / ldz;
    const b = (hz - loz) / ldz;
    const t0 = a < b ? a : b;
    const t1 = a < b ? b : a;
    if (t0 > tNear) {
      tNear = t0;
      axis = 2;
      sign = a < b ? -1 : 1;
    }
    if (t1 < tFar) tFar = t1;
  } else if (loz < -hz || loz > hz) return false;
  // A ray starting inside (tNear <= 0) sees no entry face.
  if (tNear > tFar || tNear <= 0 || tNear >= ray[T_MAX]) return false;
  hitAxis = axis;
  hitSign = sign;
  ray[T_HIT] = tNear;
  return true;
}

/** Ray against vertical cylinder c (side, then the end caps); a hit before tMax goes to ray[T_HIT]. */
function rayCylinder(c: number): boolean {
  if (missesBounds(4 + c)) return false;
  const o = c * 7;
  const ox = ray[0];
  const oy = ray[1];
  const oz = ray[2];
  const dx = ray[3];
  const dy = ray[4];
  const dz = ray[5];
  const qx = ox - cylinders[o];
  const qy = oy - cylinders[o + 1];
  const z0 = cylinders[o + 2];
  const z1 = cylinders[o + 3];
  const radius = cylinders[o + 4];
  const tMax = ray[T_MAX];
  let best = tMax;
  let capHit = 0;
  const a = dx * dx + dy * dy;
  if (a > 0) {
    const bh = qx * dx + qy * dy;
    const cc = qx * qx + qy * qy - radius * radius;
    const disc = bh * bh - a * cc;
    if (disc < 0) return false; // the infinite cylinder is missed, so are the caps
    const t = (-bh - Math.sqrt(disc)) / a;
    if (t > 0 && t < best) {
      const z = oz + dz * t;
      if (z >= z0 && z <= z1) best = t;
    }
  }
  if (dz !== 0) {
    const zc = dz < 0 ? z1 : z0;
    const t = (zc - oz) / dz;
    if (t > 0 && t < best) {
      const x = qx + dx * t;
      const y = qy + dy * t;
      if (x * x + y * y <= radius * radius) {
        best = t;
        capHit = dz < 0 ? 1 : -1;
      }
    }
  }
  if (best >= tMax) return false;
  hitCap = capHit;
  ray[T_HIT] = best;
  return true;
}

/** Write this frame's primitives from the view. */
function layoutScene(view: SceneView): void {
  const top = view.tableTopZ;
  setBox(0, (TABLE.minX + TABLE.maxX) / 2, 0, top - TABLE.halfThicknessM, 0, (TABLE.maxX - TABLE.minX) / 2, TABLE.halfWidthY, TABLE.halfThicknessM);
  for (let i = 0; i < 3; i++) {
    const l = view.links;
    setBox(1 + i, l[4 * i], l[4 * i + 1], l[4 * i + 2], l[4 * i + 3], ARM.linkLengthsM[i] / 2, ARM.linkHalfWidthM, ARM.linkHalfThicknessM);
  }
  // The finger hangs from the far end of the last link, down to fingerBottomM below the arm height.
  const l = view.links;
  const yaw = l[11];
  const half = ARM.linkLengthsM[2] / 2;
  const fingerLength = ARM.armHeightM - ARM.fingerBottomM;
  setCylinder(0, l[8] + Math.cos(yaw) * half, l[9] + Math.sin(yaw) * half, l[10] - fingerLength, l[10], ARM.fingerRadiusM, yaw);
  const puck = view.puck;
  cylinderCount = puck ? 2 : 1;
  if (puck) setCylinder(1, puck[0], puck[1], puck[2] - PUCK.halfHeightM, puck[2] + PUCK.halfHeightM, PUCK.radiusM, puck[3]);
}

/** Screen and shadow rectangles of the dynamic primitives (see screenRects), from their box corners. */
function computeRects(frame: CameraBasis, width: number, height: number, tableTopZ: number, light: readonly number[]): void {
  for (let k = 1; k < 4 + cylinderCount; k++) {
    let u0 = Infinity;
    let u1 = -Infinity;
    let v0 = Infinity;
    let v1 = -Infinity;
    let x0 = Infinity;
    let x1 = -Infinity;
    let y0 = Infinity;
    let y1 = -Infinity;
    let behind = false;
    let aboveLight = false;
    for (let corner = 0; corner < 8; corner++) {
      cornerOf(k, corner);
      const cx = corners[0];
      const cy = corners[1];
      const cz = corners[2];
      const dx = cx - frame.origin[0];
      const dy = cy - frame.origin[1];
      const dz = cz - frame.origin[2];
      const depth = dx * frame.forward[0] + dy * frame.forward[1] + dz * frame.forward[2];
      if (depth <= 1e-6) behind = true;
      else {
        const u = frame.centerU + (frame.focalLengthPx * (dx * frame.right[0] + dy * frame.right[1] + dz * frame.right[2])) / depth;
        const v = frame.centerV - (frame.focalLengthPx * (dx * frame.up[0] + dy * frame.up[1] + dz * frame.up[2])) / depth;
        if (u < u0) u0 = u;
        if (u > u1) u1 = u;
        if (v < v0) v0 = v;
        if (v > v1) v1 = v;
      }
      // Shadow of the corner on the table plane, cast from the point light.
      if (cz >= light[2] - 1e-9) aboveLight = true;
      else {
        const s = (light[2] - tableTopZ) / (light[2] - cz);
        const sx = light[0] + (cx - light[0]) * s;
        const sy = light[1] + (cy - light[1]) * s;
        if (sx < x0) x0 = sx;
        if (sx > x1) x1 = sx;
        if (sy < y0) y0 = sy;
        if (sy > y1) y1 = sy;
      }
    }
    const o = k * 4;
    // One pixel of margin: a pixel's samples lie anywhere in [i, i+1).
    screenRects[o] = behind ? -1 : Math.floor(u0) - 1;
    screenRects[o + 1] = behind ? width : Math.floor(u1) + 1;
    screenRects[o + 2] = behind ? -1 : Math.floor(v0) - 1;
    screenRects[o + 3] = behind ? height : Math.floor(v1) + 1;
    const margin = 1e-3;
    shadowRects[o] = aboveLight ? -Infinity : x0 - margin;
    shadowRects[o + 1] = aboveLight ? Infinity : x1 + margin;
    shadowRects[o + 2] = aboveLight ? -Infinity : y0 - margin;
    shadowRects[o + 3] = aboveLight ? Infinity : y1 + margin;
  }
}

const corners = new Float64Array(3);

/** Corner `corner` (0-7) of primitive k's oriented bounding box, into `corners`. */
function cornerOf(k: number, corner: number): void {
  let x: number, y: number, z: number, c: number, s: number, hx: number, hy: number, hz: number;
  if (k < 4) {
    const o = k * 8;
    x = boxes[o];
    y = boxes[o + 1];
    z = boxes[o + 2];
    c = boxes[o + 3];
    s = boxes[o + 4];
    hx = boxes[o + 5];
    hy = boxes[o + 6];
    hz = boxes[o + 7];
  } else {
    const o = (k - 4) * 7;
    x = cylinders[o];
    y = cylinders[o + 1];
    z = (cylinders[o + 2] + cylinders[o + 3]) / 2;
    c = 1;
    s = 0;
    hx = hy = cylinders[o + 4];
    hz = (cylinders[o + 3] - cylinders[o + 2]) / 2;
  }
  const lx = corner & 1 ? hx : -hx;
  const ly = corner & 2 ? hy : -hy;
  const lz = corner & 4 ? hz : -hz;
  corners[0] = x + c * lx - s * ly;
  corners[1] = y + s * lx + c * ly;
  corners[2] = z + lz;
}

function setBox(p: number, x: number, y: number, z: number, yaw: number, hx: number, hy: number, hz: number): void {
  const o = p * 8;
  boxes[o] = x;
  boxes[o + 1] = y;
  boxes[o + 2] = z;
  boxes[o + 3] = Math.cos(yaw);
  boxes[o + 4] = Math.sin(yaw);
  boxes[o + 5] = hx;
  boxes[o + 6] = hy;
  boxes[o + 7] = hz;
  setBounds(p, x, y, z, hx * hx + hy * hy + hz * hz);
}

function setBounds(k: number, x: number, y: number, z: number, radiusSquared: number): void {
  const o = k * 4;
  bounds[o] = x;
  bounds[o + 1] = y;
  bounds[o + 2] = z;
  // A little slack so rounding never rejects a grazing hit.
  bounds[o + 3] = radiusSquared * 1.0001 + 1e-8;
}

function setCylinder(c: number, x: number, y: number, z0: number, z1: number, radius: number, yaw: number): void {
  const o = c * 7;
  cylinders[o] = x;
  cylinders[o + 1] = y;
  cylinders[o + 2] = z0;
  cylinders[o + 3] = z1;
  cylinders[o + 4] = radius;
  cylinders[o + 5] = Math.cos(yaw);
  cylinders[o + 6] = Math.sin(yaw);
  const halfHeight = (z1 - z0) / 2;
  setBounds(4 + c, x, y, (z0 + z1) / 2, radius * radius + halfHeight * halfHeight);
}

/** Surfaces by primitive id: floor, table, link1-3, (finger uses link3), puck, marker. */
function surfaceTable(appearance: Appearance): SurfaceAppearance[] {
  const s = appearance.surfaces;
  surfaceScratch[FLOOR] = s.floor;
  surfaceScratch[TABLE_ID] = s.table;
  surfaceScratch[LINK] = s.link1;
  surfaceScratch[LINK + 1] = s.link2;
  surfaceScratch[LINK + 2] = s.link3;
  surfaceScratch[FINGER] = s.link3;
  surfaceScratch[PUCK_ID] = s.puck;
  surfaceScratch[PUCK_ID + 1] = s.marker;
  return surfaceScratch;
}
const surfaceScratch: SurfaceAppearance[] = [];

let linearBuffer = new Float32Array(0);
function scratchLinear(size: number): Float32Array {
  if (linearBuffer.length !== size) linearBuffer = new Float32Array(size);
  return linearBuffer;
}
