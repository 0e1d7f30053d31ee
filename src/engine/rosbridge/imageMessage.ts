/**
 * sensor_msgs/msg/Image over rosbridge v2 JSON: rosbridge encodes uint8[] fields as base64 strings,
 * so `data` travels as one. Building the message (emulator side) and checking one on arrival
 * (client side): a frame of the wrong size or encoding is refused with the reason, never half-used.
 */
import type { RgbImage } from '../vision/types';

export const MSG_IMAGE = 'sensor_msgs/msg/Image';

export interface ImageHeader {
  readonly stamp: { sec: number; nanosec: number };
  readonly frame_id: string;
}

export function imageMessage(image: RgbImage, header: ImageHeader): Record<string, unknown> {
  return {
    header,
    height: image.height,
    width: image.width,
    encoding: 'rgb8',
    is_bigendian: 0,
    step: image.width * 3,
    data: Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength).toString('base64'),
  };
}

/** A received camera frame: the image and its stamp (ms since the epoch, from the header). */
export interface CameraFrame {
  readonly image: RgbImage;
  readonly stampMs: number;
}

export type ImageCheck = { ok: true; frame: CameraFrame } | { ok: false; error: string };

/**
 * Check a sensor_msgs/Image message: rgb8, the expected size when given, step = width * 3, and data
 * holding exactly height * step bytes (base64 as rosbridge sends it, or a plain number list).
 */
export function checkImageMessage(msg: Record<string, unknown>, expected?: { widthPx: number; heightPx: number }): ImageCheck {
  const { width, height, encoding, step, data } = msg;
  if (encoding !== 'rgb8') return { ok: false, error: `encoding ${JSON.stringify(encoding)}, expected "rgb8"` };
  if (!isDimension(width) || !isDimension(height)) return { ok: false, error: `width ${JSON.stringify(width)} and height ${JSON.stringify(height)} must be whole numbers from 1 to 4096` };
  if (expected && (width !== expected.widthPx || height !== expected.heightPx)) {
    return { ok: false, error: `image is ${width}x${height}, expected ${expected.widthPx}x${expected.heightPx}` };
  }
  if (step !== width * 3) return { ok: false, error: `step ${JSON.stringify(step)}, expected width * 3 = ${width * 3}` };
  let bytes: Uint8Array;
  if (typeof data === 'string') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data)) return { ok: false, error: 'data is not base64' };
    bytes = new Uint8Array(Buffer.from(data, 'base64'));
  } else if (Array.isArray(data) && data.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)) {
    bytes = Uint8Array.from(data as number[]);
  } else {
    return { ok: false, error: 'data must be base64 text or a list of bytes' };
  }
  if (bytes.length !== height * width * 3) return { ok: false, error: `data holds ${bytes.length} bytes, expected ${height} * ${width * 3} = ${height * width * 3}` };
  const header = msg.header as { stamp?: { sec?: unknown; nanosec?: unknown } } | undefined;
  const sec = Number(header?.stamp?.sec ?? 0);
  const nanosec = Number(header?.stamp?.nanosec ?? 0);
  const stampMs = Number.isFinite(sec) && Number.isFinite(nanosec) ? sec * 1000 + nanosec / 1e6 : 0;
  return { ok: true, frame: { image: { width, height, data: bytes }, stampMs } };
}

function isDimension(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 4096;
}
