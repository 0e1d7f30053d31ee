/**
 * STL meshes, binary and ASCII, to their distinct vertices. Collision and camera shapes are convex
 * hulls (or a decomposition) of these points, so triangles are counted but not kept.
 */

export interface StlMesh {
  /** Distinct vertices as xyz triples. */
  readonly vertices: Float32Array;
  /** Three vertex indices per triangle. */
  readonly indices: Uint32Array;
  readonly triangles: number;
}

export class StlError extends Error {}

/** Parse an STL file's bytes; throws StlError on a truncated or malformed file. */
export function parseStl(bytes: Uint8Array): StlMesh {
  if (bytes.length >= 84) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const count = view.getUint32(80, true);
    if (84 + 50 * count === bytes.length) return parseBinary(view, count);
  }
  const head = new TextDecoder().decode(bytes.subarray(0, Math.min(bytes.length, 512))).trimStart();
  if (head.startsWith('solid') && /facet|endsolid/.test(new TextDecoder().decode(bytes.subarray(0, Math.min(bytes.length, 4096))))) {
    return parseAscii(new TextDecoder().decode(bytes));
  }
  if (bytes.length >= 84) {
    const count = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(80, true);
    throw new StlError(`a binary STL whose header says ${count} triangles (${84 + 50 * count} bytes) but the file has ${bytes.length} bytes: truncated or not an STL file`);
  }
  throw new StlError(`${bytes.length} bytes is too short for an STL file`);
}

function parseBinary(view: DataView, count: number): StlMesh {
  if (count === 0) throw new StlError('the STL file has no triangles');
  const unique = new VertexSet(count * 3);
  const indices = new Uint32Array(count * 3);
  for (let t = 0; t < count; t++) {
    const base = 84 + 50 * t + 12;
    for (let v = 0; v < 3; v++) {
      const o = base + 12 * v;
      indices[3 * t + v] = unique.add(view.getFloat32(o, true), view.getFloat32(o + 4, true), view.getFloat32(o + 8, true));
    }
  }
  return { vertices: unique.vertices(), indices, triangles: count };
}

function parseAscii(text: string): StlMesh {
  const pattern = /vertex\s+(\S+)\s+(\S+)\s+(\S+)/g;
  const unique = new VertexSet(1024);
  const indices: number[] = [];
  let count = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    const x = Number(m[1]);
    const y = Number(m[2]);
    const z = Number(m[3]);
    if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) {
      const line = text.slice(0, m.index).split('\n').length;
      throw new StlError(`line ${line}: vertex '${m[0]}' is not three numbers`);
    }
    indices.push(unique.add(x, y, z));
    count++;
  }
  if (count === 0) throw new StlError('the ASCII STL file has no vertices');
  if (count % 3 !== 0) throw new StlError(`the ASCII STL file has ${count} vertices, not three per facet`);
  return { vertices: unique.vertices(), indices: Uint32Array.from(indices), triangles: count / 3 };
}

/** Open-addressing set of float triples keyed by their bit patterns (a string-keyed Map is 5-10× slower on big meshes). */
class VertexSet {
  private keys: Uint32Array;
  private used: Uint8Array;
  private index: Uint32Array;
  private data: Float32Array;
  private size = 0;
  private readonly bits = new Uint32Array(3);
  private readonly floats = new Float32Array(this.bits.buffer);

  constructor(expected: number) {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.keys = new Uint32Array(capacity * 3);
    this.used = new Uint8Array(capacity);
    this.index = new Uint32Array(capacity);
    this.data = new Float32Array(Math.max(48, expected * 3));
  }

  /** The vertex's index (a new one, or the index of the same point seen before). */
  add(x: number, y: number, z: number): number {
    if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) throw new StlError(`a vertex is not finite (${x}, ${y}, ${z})`);
    const f = this.floats;
    f[0] = x === 0 ? 0 : x; // -0 and 0 are one point
    f[1] = y === 0 ? 0 : y;
    f[2] = z === 0 ? 0 : z;
    const b = this.bits;
    const mask = this.used.length - 1;
    let slot = (Math.imul(b[0]!, 73856093) ^ Math.imul(b[1]!, 19349663) ^ Math.imul(b[2]!, 83492791)) & mask;
    while (this.used[slot]) {
      const k = 3 * slot;
      if (this.keys[k] === b[0] && this.keys[k + 1] === b[1] && this.keys[k + 2] === b[2]) return this.index[slot]!;
      slot = (slot + 1) & mask;
    }
    if (2 * (this.size + 1) > this.used.length) {
      this.grow();
      return this.add(x, y, z);
    }
    this.used[slot] = 1;
    this.index[slot] = this.size;
    this.keys.set(b, 3 * slot);
    if (3 * this.size + 3 > this.data.length) {
      const bigger = new Float32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[3 * this.size] = f[0]!;
    this.data[3 * this.size + 1] = f[1]!;
    this.data[3 * this.size + 2] = f[2]!;
    return this.size++;
  }

  private grow(): void {
    const points = this.vertices();
    const capacity = this.used.length * 2;
    this.keys = new Uint32Array(capacity * 3);
    this.used = new Uint8Array(capacity);
    this.index = new Uint32Array(capacity);
    this.size = 0;
    for (let i = 0; i < points.length; i += 3) this.add(points[i]!, points[i + 1]!, points[i + 2]!);
  }

  vertices(): Float32Array {
    return this.data.slice(0, 3 * this.size);
  }
}
