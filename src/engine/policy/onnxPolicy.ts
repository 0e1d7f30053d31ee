/**
 * Runs any ONNX policy whose tensor shapes fit a task, through onnxruntime-node: ours, or one
 * trained elsewhere. The input must be [batch, observationSize + k * (observationSize + actionSize)]
 * for some history k >= 0 (layout in policySpec.ts) and the output [batch, actionSize].
 */
import * as ort from 'onnxruntime-node';
import { HistoryInput } from './historyInput';
import type { Policy } from './policy';
import { historyForInputSize } from './policySpec';

export class PolicyShapeError extends Error {
  constructor(
    readonly expected: string,
    readonly found: string,
    file: string,
  ) {
    super(`${file} does not fit the task: expected ${expected}; found ${found}`);
    this.name = 'PolicyShapeError';
  }
}

export interface TaskSizes {
  readonly observationSize: number;
  readonly actionSize: number;
}

type Dim = number | string;

function describe(shape: readonly Dim[] | undefined): string {
  return shape ? `[${shape.join(', ')}]` : '[unknown]';
}

/** The feature size of a [batch, n] or [n] float tensor, or undefined. */
function featureSize(meta: ort.InferenceSession.ValueMetadata | undefined): number | undefined {
  if (!meta || !meta.isTensor || meta.type !== 'float32') return undefined;
  const shape = meta.shape;
  if (shape.length < 1 || shape.length > 2) return undefined;
  if (shape.length === 2 && typeof shape[0] === 'number' && shape[0] !== 1) return undefined;
  const last = shape[shape.length - 1];
  return typeof last === 'number' ? last : undefined;
}

export class OnnxPolicy implements Policy {
  private readonly historyInput: HistoryInput;
  private readonly inputData: Float32Array;
  private readonly inputTensor: ort.Tensor;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly observationSize: number,
    readonly actionSize: number,
    readonly history: number,
    readonly inputSize: number,
  ) {
    this.historyInput = new HistoryInput(observationSize, actionSize, history);
    this.inputData = new Float32Array(inputSize);
    this.inputTensor = new ort.Tensor('float32', this.inputData, [1, inputSize]);
  }

  /** Loads `file` and checks its shapes against the task; refuses with both shapes on a mismatch. */
  static async load(file: string, task: TaskSizes): Promise<OnnxPolicy> {
    // one intra-op thread: batch-1 MLP inference is faster without thread hand-offs, and results repeat
    const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
    const input = session.inputMetadata[0];
    const output = session.outputMetadata[0];
    const inputSize = featureSize(input);
    const outputSize = featureSize(output);
    const history = inputSize === undefined ? undefined : historyForInputSize(inputSize, task.observationSize, task.actionSize);
    if (session.inputNames.length !== 1 || history === undefined || outputSize !== task.actionSize) {
      const { observationSize: o, actionSize: a } = task;
      const expected = `one float32 input [batch, ${o}] (or [batch, ${o} + k*${o + a}] with a history of k steps) and output [batch, ${a}]`;
      const shapeOf = (m: ort.InferenceSession.ValueMetadata | undefined): string => (m && m.isTensor ? `${m.type} ${describe(m.shape)}` : 'none');
      const found = `${session.inputNames.length} input(s), input ${shapeOf(input)} and output ${shapeOf(output)}`;
      await session.release();
      throw new PolicyShapeError(expected, found, file);
    }
    return new OnnxPolicy(session, task.observationSize, task.actionSize, history, inputSize!);
  }

  reset(firstObservation: Float64Array): void {
    this.historyInput.reset(firstObservation);
  }

  async act(observation: Float64Array, action: Float64Array): Promise<void> {
    this.inputData.set(this.historyInput.build(observation));
    const outputs = await this.session.run({ [this.session.inputNames[0]!]: this.inputTensor });
    const data = outputs[this.session.outputNames[0]!]!.data as Float32Array;
    // a policy trained elsewhere may not squash its output; the env expects [-1, 1]
    for (let i = 0; i < this.actionSize; i++) action[i] = Math.min(1, Math.max(-1, data[i]!));
    this.historyInput.record(observation, action);
  }

  /** Raw batch-1 inference on a prepared input (benchmarks, export checks). */
  async infer(input: ArrayLike<number>): Promise<Float32Array> {
    this.inputData.set(input);
    const outputs = await this.session.run({ [this.session.inputNames[0]!]: this.inputTensor });
    return outputs[this.session.outputNames[0]!]!.data as Float32Array;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
