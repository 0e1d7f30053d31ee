/**
 * Writes a trained policy as an ONNX model (opset 13, IR version 8: loadable by every ONNX Runtime
 * of the last years). Observation normalization is part of the graph, so the model takes raw
 * observations and needs nothing from this project to run:
 *   observation [N, in] -> Sub(mean) -> Div(std) -> Gemm -> act -> ... -> Gemm -> Tanh -> action.
 * Normalization stays two explicit element-wise nodes rather than being multiplied into the first
 * layer: folding it there cancels large terms (W/std * x - W/std * mean) in float32 and costs
 * accuracy when a dimension's std is small next to its mean.
 */
import { ProtoWriter } from './protobuf';
import { inputSizeOf, layerSizesOf, type PolicySpec } from './policySpec';

export const ONNX_OPSET = 13;
const IR_VERSION = 8;
const FLOAT = 1; // TensorProto.DataType.FLOAT
const ATTRIBUTE_INT = 2; // AttributeProto.AttributeType.INT
export const ONNX_INPUT_NAME = 'observation';
export const ONNX_OUTPUT_NAME = 'action';
/** metadata_props keys this project writes and reads back. */
export const META_HISTORY = 'sim2real.history';
export const META_OBSERVATION_SIZE = 'sim2real.observation_size';
export const META_ACTION_SIZE = 'sim2real.action_size';

export interface Normalization {
  readonly mean: ArrayLike<number>;
  readonly std: ArrayLike<number>;
}

export interface OnnxExportOptions {
  /** Extra metadata_props (task, experiment, run id ...). */
  readonly metadata?: Readonly<Record<string, string>>;
  readonly producerVersion?: string;
}

/** Per layer: weights [out x in] and biases, sliced from the flat parameter vector. */
function layersOf(spec: PolicySpec, parameters: Float64Array): { weights: Float64Array; biases: Float64Array; nIn: number; nOut: number }[] {
  const sizes = layerSizesOf(spec);
  const layers = [];
  let offset = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const nIn = sizes[l]!;
    const nOut = sizes[l + 1]!;
    layers.push({ weights: parameters.subarray(offset, offset + nOut * nIn), biases: parameters.subarray(offset + nOut * nIn, offset + nOut * nIn + nOut), nIn, nOut });
    offset += nOut * nIn + nOut;
  }
  return layers;
}

/** Mean and std over the whole input: the observation's, repeated per history block; 0 and 1 for actions. */
function inputNormalization(spec: PolicySpec, normalization: Normalization): { mean: Float64Array; std: Float64Array } {
  const size = inputSizeOf(spec);
  const mean = new Float64Array(size);
  const std = new Float64Array(size).fill(1);
  const o = spec.observationSize;
  for (let i = 0; i < o * (spec.history + 1); i++) {
    mean[i] = normalization.mean[i % o]!;
    std[i] = normalization.std[i % o]!;
  }
  return { mean, std };
}

export function exportPolicyOnnx(spec: PolicySpec, parameters: Float64Array, normalization: Normalization, options: OnnxExportOptions = {}): Uint8Array {
  const layers = layersOf(spec, parameters);
  const inputSize = inputSizeOf(spec);
  const inputNorm = inputNormalization(spec, normalization);
  const metadata: Record<string, string> = {
    [META_HISTORY]: String(spec.history),
    [META_OBSERVATION_SIZE]: String(spec.observationSize),
    [META_ACTION_SIZE]: String(spec.actionSize),
    ...options.metadata,
  };

  const model = new ProtoWriter();
  model.varint(1, IR_VERSION); // ir_version
  model.string(2, 'sim2real-workbench'); // producer_name
  model.string(3, options.producerVersion ?? '0'); // producer_version
  model.message(7, (graph) => {
    graph.message(1, (node) => node.string(1, ONNX_INPUT_NAME).string(1, 'obs_mean').string(2, 'centered').string(3, 'normalize_sub').string(4, 'Sub'));
    graph.message(1, (node) => node.string(1, 'centered').string(1, 'obs_std').string(2, 'normalized').string(3, 'normalize_div').string(4, 'Div'));
    let current = 'normalized';
    layers.forEach((layer, l) => {
      const isLast = l === layers.length - 1;
      const gemmOut = `layer${l}_linear`;
      graph.message(1, (node) => {
        node.string(1, current).string(1, `W${l}`).string(1, `B${l}`);
        node.string(2, gemmOut).string(3, `gemm${l}`).string(4, 'Gemm');
        // transB = 1: weights stay [out, in], the layout of the JS forward pass
        node.message(5, (attr) => attr.string(1, 'transB').varint(3, 1).varint(20, ATTRIBUTE_INT));
      });
      const activation = isLast || spec.activation === 'tanh' ? 'Tanh' : 'Relu';
      const activationOut = isLast ? ONNX_OUTPUT_NAME : `layer${l}_out`;
      graph.message(1, (node) => node.string(1, gemmOut).string(2, activationOut).string(3, `act${l}`).string(4, activation));
      current = activationOut;
    });
    graph.string(2, 'policy');
    graph.message(5, (tensor) => writeFloatTensor(tensor, 'obs_mean', [inputSize], inputNorm.mean));
    graph.message(5, (tensor) => writeFloatTensor(tensor, 'obs_std', [inputSize], inputNorm.std));
    layers.forEach((layer, l) => {
      graph.message(5, (tensor) => writeFloatTensor(tensor, `W${l}`, [layer.nOut, layer.nIn], layer.weights));
      graph.message(5, (tensor) => writeFloatTensor(tensor, `B${l}`, [layer.nOut], layer.biases));
    });
    graph.message(11, (value) => writeValueInfo(value, ONNX_INPUT_NAME, inputSize));
    graph.message(12, (value) => writeValueInfo(value, ONNX_OUTPUT_NAME, spec.actionSize));
  });
  model.message(8, (opset) => opset.string(1, '').varint(2, ONNX_OPSET)); // opset_import, default domain
  for (const [key, value] of Object.entries(metadata)) model.message(14, (entry) => entry.string(1, key).string(2, value));
  return model.finish();
}

function writeFloatTensor(tensor: ProtoWriter, name: string, dims: number[], values: Float64Array): void {
  tensor.packedVarints(1, dims); // dims
  tensor.varint(2, FLOAT); // data_type
  tensor.string(8, name);
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true); // raw_data is little-endian
  tensor.bytes(9, raw);
}

/** A float tensor [batch, size] with a symbolic batch dimension. */
function writeValueInfo(value: ProtoWriter, name: string, size: number): void {
  value.string(1, name);
  value.message(2, (type) =>
    type.message(1, (tensorType) => {
      tensorType.varint(1, FLOAT);
      tensorType.message(2, (shape) => {
        shape.message(1, (dim) => dim.string(2, 'batch'));
        shape.message(1, (dim) => dim.varint(1, size));
      });
    }),
  );
}
