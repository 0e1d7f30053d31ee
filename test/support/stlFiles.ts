/** STL files for tests: a box's twelve triangles, written as binary STL. */
export type Triangle = [[number, number, number], [number, number, number], [number, number, number]];

/** An axis-aligned box centred on the origin, full sizes x, y, z. */
export function boxTriangles(x: number, y: number, z: number): Triangle[] {
  const c = (i: number): [number, number, number] => [(i & 1 ? 0.5 : -0.5) * x, (i & 2 ? 0.5 : -0.5) * y, (i & 4 ? 0.5 : -0.5) * z];
  const faces = [[0, 1, 3, 2], [4, 6, 7, 5], [0, 4, 5, 1], [2, 3, 7, 6], [0, 2, 6, 4], [1, 5, 7, 3]];
  return faces.flatMap(([a, b, d, e]) => [[c(a!), c(b!), c(d!)], [c(a!), c(d!), c(e!)]] as Triangle[]);
}

export function binaryStl(triangles: readonly Triangle[]): Buffer {
  const out = Buffer.alloc(84 + 50 * triangles.length);
  out.write('binary stl written by a test', 0);
  out.writeUInt32LE(triangles.length, 80);
  triangles.forEach((t, i) => {
    const o = 84 + 50 * i + 12;
    t.forEach((v, k) => v.forEach((value, axis) => out.writeFloatLE(value, o + 12 * k + 4 * axis)));
  });
  return out;
}
