/** `inline-worker:./file.ts`: the file bundled for a worker, as source text (scripts/build.mjs). */
declare module 'inline-worker:*' {
  const source: string;
  export default source;
}
