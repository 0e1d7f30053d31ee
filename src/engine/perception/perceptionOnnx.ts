/**
 * The puck network as an ONNX model (opset 13, IR 8, like the policy exporter in
 * ../policy/onnxExport.ts, whose protobuf writer it shares). The graph takes raw pixel values so a
 * robot-side runtime needs nothing from this project:
 *
 *   image [N, 3, 64, 64] float (0-255, planar RGB) -> Sub(127.5) -> Div(63.75)
 *   -> Conv /2 -> Relu -> Conv -> Relu -> Conv (keypoint maps [N, K, 32, 32])
 *   -> Reshape [N, K, H*W] -> Softmax(axis -1) -> MatMul(pixel-centre coordinates [H*W, 2])
 *   -> Reshape [N, 2K] (features) -> Gemm(transB) -> Mul(half extent) -> Add(centre)
 *   -> puck_position [N, 2] (m)
 */
import * as ort from 'onnxruntime-node';
import { keypointCoordinates, type Tensor } from '../learn/autodiff';
import { ONNX_OPSET } from '../policy/onnxExport';
import { ProtoWriter } from '../policy/protobuf';
import type { RgbImage } from '../vision/types';
import { IMAGE_SIZE, PIXEL_MEAN, PIXEL_STD, PuckNet } from './puckNet';

const IR_VERSION = 8;
const FLOAT = 1;
const INT64 = 7;
const ATTRIBUTE_INT = 2;
const ATTRIBUTE_INTS = 7;
export const PERCEPTION_INPUT = 'image';
export const PERCEPTION_OUTPUT = 'puck_position';
export const META_MODEL_KIND = 'sim2real.model';

type Attribute = { name: string; int?: number; ints?: number[] };

function node(graph: ProtoWriter, op: string, name: string, inputs: string[], outputs: string[], attributes: Attribute[] = []): void {
  graph.message(1, (n) => {
    for (const i of inputs) n.string(1, i);
    for (const o of outputs) n.string(2, o);
    n.string(3, name).string(4, op);
    for (const a of attributes) {
      n.message(5, (attr) => {
        attr.string(1, a.name);
        if (a.ints) attr.packedVarints(8, a.ints).varint(20, ATTRIBUTE_INTS);
        else attr.varint(3, a.int!).varint(20, ATTRIBUTE_INT);
      });
    }
  });
}

function floatInitializer(graph: ProtoWriter, name: string, dims: readonly number[], values: ArrayLike<number>): void {
  graph.message(5, (t) => {
    t.packedVarints(1, [...dims]).varint(2, FLOAT).string(8, name);
    const raw = new Uint8Array(values.length * 4);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
    t.bytes(9, raw);
  });
}

function int64Initializer(graph: ProtoWriter, name: string, values: readonly number[]): void {
  graph.message(5, (t) => {
    t.packedVarints(1, [values.length]).varint(2, INT64).string(8, name);
    const raw = new Uint8Array(values.length * 8);
    const view = new DataView(raw.buffer);
    values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
    t.bytes(9, raw);
  });
}

function valueInfo(graph: ProtoWriter, field: number, name: string, dims: (number | string)[]): void {
  graph.message(field, (value) => {
    value.string(1, name);
    value.message(2, (type) =>
      type.message(1, (tensorType) => {
        tensorType.varint(1, FLOAT);
        tensorType.message(2, (shape) => {
          for (const d of dims) shape.message(1, (dim) => (typeof d === 'string' ? dim.string(2, d) : dim.varint(1, d)));
        });
      }),
    );
  });
}

function convNode(graph: ProtoWriter, name: string, input: string, output: string, weight: Tensor, stride: number): void {
  const k = weight.shape[2]!;
  const pad = (k - 1) / 2;
  node(graph, 'Conv', name, [input, `${name}_w`, `${name}_b`], [output], [
    { name: 'kernel_shape', ints: [k, k] },
    { name: 'pads', ints: [pad, pad, pad, pad] },
    { name: 'strides', ints: [stride, stride] },
  ]);
}

export function exportPuckNetOnnx(net: PuckNet, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const k = net.shape.keypoints;
  const mapSize = IMAGE_SIZE / 2;
  const xs = keypointCoordinates(mapSize);
  const ys = keypointCoordinates(mapSize);
  const coordinates = new Float32Array(mapSize * mapSize * 2);
  for (let i = 0; i < mapSize; i++) {
    for (let j = 0; j < mapSize; j++) {
      coordinates[2 * (i * mapSize + j)] = xs[j]!;
      coordinates[2 * (i * mapSize + j) + 1] = ys[i]!;
    }
  }
  const model = new ProtoWriter();
  model.varint(1, IR_VERSION).string(2, 'sim2real-workbench').string(3, '0');
  model.message(7, (graph) => {
    node(graph, 'Sub', 'pixel_center', [PERCEPTION_INPUT, 'pixel_offset'], ['centered']);
    node(graph, 'Div', 'pixel_scale', ['centered', 'pixel_divisor'], ['normalized']);
    convNode(graph, 'conv1', 'normalized', 'conv1_out', net.conv1w, 2);
    node(graph, 'Relu', 'relu1', ['conv1_out'], ['relu1_out']);
    convNode(graph, 'conv2', 'relu1_out', 'conv2_out', net.conv2w, 1);
    node(graph, 'Relu', 'relu2', ['conv2_out'], ['relu2_out']);
    convNode(graph, 'conv3', 'relu2_out', 'keypoint_maps', net.conv3w, 1);
    node(graph, 'Reshape', 'maps_flat', ['keypoint_maps', 'maps_shape'], ['maps_flat_out']);
    node(graph, 'Softmax', 'spatial_softmax', ['maps_flat_out'], ['keypoint_probabilities'], [{ name: 'axis', int: -1 }]);
    node(graph, 'MatMul', 'keypoint_expectation', ['keypoint_probabilities', 'pixel_coordinates'], ['keypoints']);
    node(graph, 'Reshape', 'features_flat', ['keypoints', 'features_shape'], ['features']);
    node(graph, 'Gemm', 'head', ['features', 'head_w', 'head_b'], ['normalized_position'], [{ name: 'transB', int: 1 }]);
    node(graph, 'Mul', 'position_scale', ['normalized_position', 'half_extent'], ['scaled_position']);
    node(graph, 'Add', 'position_offset', ['scaled_position', 'centre'], [PERCEPTION_OUTPUT]);
    graph.string(2, 'puck_perception');
    floatInitializer(graph, 'pixel_offset', [], [255 * PIXEL_MEAN]);
    floatInitializer(graph, 'pixel_divisor', [], [255 * PIXEL_STD]);
    for (const [name, w, b] of [['conv1', net.conv1w, net.conv1b], ['conv2', net.conv2w, net.conv2b], ['conv3', net.conv3w, net.conv3b]] as const) {
      floatInitializer(graph, `${name}_w`, w.shape, w.data);
      floatInitializer(graph, `${name}_b`, b.shape, b.data);
    }
    int64Initializer(graph, 'maps_shape', [0, k, mapSize * mapSize]);
    floatInitializer(graph, 'pixel_coordinates', [mapSize * mapSize, 2], coordinates);
    int64Initializer(graph, 'features_shape', [0, 2 * k]);
    floatInitializer(graph, 'head_w', net.headW.shape, net.headW.data);
    floatInitializer(graph, 'head_b', net.headB.shape, net.headB.data);
    floatInitializer(graph, 'half_extent', [2], net.frame.halfExtent);
    floatInitializer(graph, 'centre', [2], net.frame.centre);
    valueInfo(graph, 11, PERCEPTION_INPUT, ['batch', 3, IMAGE_SIZE, IMAGE_SIZE]);
    valueInfo(graph, 12, PERCEPTION_OUTPUT, ['batch', 2]);
  });
  model.message(8, (opset) => opset.string(1, '').varint(2, ONNX_OPSET));
  for (const [key, value] of Object.entries({ [META_MODEL_KIND]: 'puck_perception', ...metadata })) model.message(14, (e) => e.string(1, key).string(2, value));
  return model.finish();
}

/** rgb8 images -> the ONNX input: planar float pixel values 0-255. */
export function onnxImageInput(images: readonly RgbImage[]): ort.Tensor {
  const plane = IMAGE_SIZE * IMAGE_SIZE;
  const data = new Float32Array(images.length * 3 * plane);
  images.forEach((image, b) => {
    if (image.width !== IMAGE_SIZE || image.height !== IMAGE_SIZE) throw new Error(`the perception model takes ${IMAGE_SIZE}x${IMAGE_SIZE} images, got ${image.width}x${image.height}`);
    for (let q = 0; q < plane; q++) for (let c = 0; c < 3; c++) data[(b * 3 + c) * plane + q] = image.data[3 * q + c]!;
  });
  return new ort.Tensor('float32', data, [images.length, 3, IMAGE_SIZE, IMAGE_SIZE]);
}

/** The exported model run by onnxruntime-node: what the robot side and `perception eval` use. */
export class OnnxPuckPerception {
  private constructor(private readonly session: ort.InferenceSession) {}

  static async load(fileOrBytes: string | Uint8Array): Promise<OnnxPuckPerception> {
    const session = typeof fileOrBytes === 'string' ? await ort.InferenceSession.create(fileOrBytes) : await ort.InferenceSession.create(fileOrBytes);
    if (!session.inputNames.includes(PERCEPTION_INPUT) || !session.outputNames.includes(PERCEPTION_OUTPUT)) {
      throw new Error(`not a puck perception model: inputs [${session.inputNames.join(', ')}], outputs [${session.outputNames.join(', ')}]; expected '${PERCEPTION_INPUT}' -> '${PERCEPTION_OUTPUT}'`);
    }
    return new OnnxPuckPerception(session);
  }

  async estimate(images: readonly RgbImage[]): Promise<{ x: number; y: number }[]> {
    const result = await this.session.run({ [PERCEPTION_INPUT]: onnxImageInput(images) });
    const data = result[PERCEPTION_OUTPUT]!.data as Float32Array;
    return images.map((_, b) => ({ x: data[2 * b]!, y: data[2 * b + 1]! }));
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
