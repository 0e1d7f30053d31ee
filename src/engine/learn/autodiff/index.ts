export { Tensor, heParameter, zeroParameter, gaussian, type Uniform } from './tensor';
export { Tape } from './tape';
export { conv2d, convOutputSize, type Conv2dOptions } from './conv2d';
export { relu, flatten, gradientReversal } from './elementwise';
export { linear } from './linear';
export { spatialSoftmax, keypointCoordinates } from './spatialSoftmax';
export { mse, binaryCrossEntropyWithLogits, weightedSum } from './losses';
export { AdamOptimizer } from './adam';
