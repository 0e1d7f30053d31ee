/**
 * The camera's contract, shared by the sim (visual domain randomization), the reality emulator
 * (sensor_msgs/Image) and the perception model. Images are row-major, top row first, RGB
 * interleaved, 8 bits per channel (sensor_msgs/Image encoding `rgb8`), width*height*3 bytes.
 */

export interface CameraIntrinsics {
  readonly widthPx: number;
  readonly heightPx: number;
  /** Pinhole focal length in pixels (fx = fy). */
  readonly focalLengthPx: number;
}

/** Camera pose in the world frame: position in m, looking at a point in m (up is +z). */
export interface CameraPose {
  readonly position: readonly [number, number, number];
  readonly lookAt: readonly [number, number, number];
}

export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** width*height*3 bytes, rgb8. */
  readonly data: Uint8Array;
}

/** The puck's table position the perception model estimates, m, in the world frame. */
export interface PuckPosition {
  readonly x: number;
  readonly y: number;
}
