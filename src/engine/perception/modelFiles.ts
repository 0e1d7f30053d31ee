/**
 * The perception model files the editor names (quick picks, the run's line in the tree), in a
 * module of their own: perceptionModel.ts, which defines them for the jobs, brings onnxruntime-node
 * with it, and the extension host must not load the native runtime. A unit test keeps the two equal.
 */
export const PERCEPTION_MODEL_FILES = {
  randomized: 'perception.onnx',
  nominal: 'perception-no-randomization.onnx',
} as const;
