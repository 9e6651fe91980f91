// Fused CPU passes of coordinate attention over the big (N, C, H, W) tensor.
//
// The plain formulation reads x twice to pool (once per direction) and then
// reads x, writes x * g_h, reads that and writes the output. Here:
//   strip_mean   one read of x gives both strip means, laid end to end:
//                z = [z_h, z_w] (N, C, H + W), as a view of (C, N, H + W)
//                memory (or (N, H + W, C) for channels-last x), so that the
//                strip transform is one (C, N * (H + W)) matrix product;
//   coord_gate   one read of x and one write of y = x * g_h * g_w
//                (coord_gate_ writes y into x);
//   coord_gate_grad_gates, coord_attention_grad_input
//                a training block's backward in two passes (see
//                coord_attention_backward.cpp): one read of dy and x for
//                both gate gradients, one read of dy and write of dx, the
//                strip means' gradient added in;
//   coord_strip_transform, coord_strip_transform_backward
//                the small layers between the strips and the gates of a
//                training block, in one call each way;
//   coord_attention_inference (and coord_attention_inference_, in place)
//                the whole block at inference from its layers' parameters,
//                BN folded on the fly: strip_mean, one small matrix product
//                (strip_transform), and a gating pass that computes each
//                channel group's gates where it uses them. Given relu_max,
//                both passes apply the producer's ReLU or ReLU6 as they read
//                x, so that activation takes no pass of its own. One call
//                per block, as a late-stage block costs less than the
//                Python-level dispatches of its ~15 plain ops. Given
//                gate_h_out and gate_w_out, it also copies the gates it
//                applies there (mmca.models.attention.record_gates).
// Given relu_max, every op reads x through the producer's ReLU or ReLU6 (and
// the backward passes apply its gradient), so that in training too the
// activation takes no pass of its own.
// Each works on NCHW-contiguous or channels-last x, keeping its layout. NCHW
// strip sums read planes in register-held bands (see for_each_band).
// Gates may be any strided (N, C, L) views; gradients come back contiguous.
#pragma once

#include <ATen/ATen.h>

#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace mmca {

at::Tensor strip_mean(const at::Tensor& x, std::optional<double> relu_max);
at::Tensor coord_gate(const at::Tensor& x, const at::Tensor& gh,
                      const at::Tensor& gw, std::optional<double> relu_max);
at::Tensor coord_gate_(const at::Tensor& x, const at::Tensor& gh,
                       const at::Tensor& gw, std::optional<double> relu_max);
std::tuple<at::Tensor, at::Tensor> coord_gate_grad_gates(
    const at::Tensor& dy, const at::Tensor& x, const at::Tensor& gh,
    const at::Tensor& gw, std::optional<double> relu_max);
at::Tensor coord_attention_grad_input(const at::Tensor& dy,
                                      const at::Tensor& x,
                                      const at::Tensor& gh,
                                      const at::Tensor& gw,
                                      const std::optional<at::Tensor>& dz,
                                      std::optional<double> relu_max);

// The strip transform of a training block, strips to gates: the gates
// g_h, g_w, and v, u_hat, rstd for the backward (strip_transform.cpp).
std::vector<at::Tensor> strip_transform(
    const at::Tensor& z, int64_t h, const at::Tensor& w1, const at::Tensor& b1,
    const std::optional<at::Tensor>& bn_weight,
    const std::optional<at::Tensor>& bn_bias,
    const std::optional<at::Tensor>& bn_mean,
    const std::optional<at::Tensor>& bn_var, bool batch_stats,
    double momentum, double eps, const at::Tensor& w_h, const at::Tensor& b_h,
    const at::Tensor& w_w, const at::Tensor& b_w, const std::string& act);
// Its backward: dz, then the gradients of w1, b1, bn_weight, bn_bias, w_h,
// b_h, w_w, b_w.
std::vector<at::Tensor> strip_transform_backward(
    const at::Tensor& grad_gate_h, const at::Tensor& grad_gate_w,
    const at::Tensor& z, const at::Tensor& gate_h, const at::Tensor& gate_w,
    const at::Tensor& v, const at::Tensor& u_hat, const at::Tensor& rstd,
    const at::Tensor& w1, const std::optional<at::Tensor>& bn_weight,
    bool batch_stats, const at::Tensor& w_h, const at::Tensor& w_w,
    const std::string& act);

// The block's layers, as the schema names them.
struct BlockParams {
  const at::Tensor& w1;
  const at::Tensor& b1;
  const std::optional<at::Tensor>& bn_weight;
  const std::optional<at::Tensor>& bn_bias;
  const at::Tensor& bn_mean;
  const at::Tensor& bn_var;
  double eps;
  const at::Tensor& w_h;
  const at::Tensor& b_h;
  const at::Tensor& w_w;
  const at::Tensor& b_w;
};

// Where the inference op also writes the gates it applies: contiguous
// (N, C, H) and (N, C, W) tensors of x's dtype, or both absent.
struct GateOutputs {
  const std::optional<at::Tensor>& h;
  const std::optional<at::Tensor>& w;
};

at::Tensor coord_attention_inference(const at::Tensor& x,
                                     const BlockParams& params,
                                     const std::string& act,
                                     std::optional<double> relu_max,
                                     bool inplace,
                                     const GateOutputs& gate_outputs);

}  // namespace mmca
