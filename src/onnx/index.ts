/**
 * The `onnx` namespace: export a keel model's eval form as an ONNX file (exportModel) or bytes
 * (toOnnx), with our own protobuf encoder and ONNX schema subset (no runtime dependency).
 *
 * @module
 */
export { exportModel, toOnnx, type OnnxExportOptions } from './export.js';
