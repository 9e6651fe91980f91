// The ops' schemas: torch.ops.mmca.*, called from mmca/ops/coord_attention_ops.py.
#include <torch/library.h>

#include "ops.h"

namespace {

// The two registrations of the block: a new output, or y written into x.
template <bool kInplace>
at::Tensor block(const at::Tensor& x, const at::Tensor& w1,
                 const at::Tensor& b1,
                 const std::optional<at::Tensor>& bn_weight,
                 const std::optional<at::Tensor>& bn_bias,
                 const at::Tensor& bn_mean, const at::Tensor& bn_var,
                 double eps, const at::Tensor& w_h, const at::Tensor& b_h,
                 const at::Tensor& w_w, const at::Tensor& b_w,
                 const std::string& act, std::optional<double> relu_max,
                 const std::optional<at::Tensor>& gate_h_out,
                 const std::optional<at::Tensor>& gate_w_out) {
  return mmca::coord_attention_inference(
      x, {w1, b1, bn_weight, bn_bias, bn_mean, bn_var, eps, w_h, b_h, w_w, b_w},
      act, relu_max, kInplace, {gate_h_out, gate_w_out});
}

}  // namespace

TORCH_LIBRARY(mmca, m) {
  m.def("strip_mean(Tensor x, float? relu_max=None) -> Tensor",
        &mmca::strip_mean);
  m.def(
      "coord_gate(Tensor x, Tensor gate_h, Tensor gate_w, "
      "float? relu_max=None) -> Tensor",
      &mmca::coord_gate);
  m.def(
      "coord_gate_(Tensor(a!) x, Tensor gate_h, Tensor gate_w, "
      "float? relu_max=None) -> Tensor(a!)",
      &mmca::coord_gate_);
  m.def(
      "coord_gate_grad_gates(Tensor dy, Tensor x, Tensor gate_h, "
      "Tensor gate_w, float? relu_max=None) -> (Tensor, Tensor)",
      &mmca::coord_gate_grad_gates);
  m.def(
      "coord_attention_grad_input(Tensor dy, Tensor x, Tensor gate_h, "
      "Tensor gate_w, Tensor? grad_z=None, float? relu_max=None) -> Tensor",
      &mmca::coord_attention_grad_input);
  m.def(
      "coord_strip_transform(Tensor z, int h, Tensor w1, Tensor b1, "
      "Tensor? bn_weight, Tensor? bn_bias, Tensor(a!)? bn_mean, "
      "Tensor(b!)? bn_var, bool batch_stats, float momentum, float eps, "
      "Tensor w_h, Tensor b_h, Tensor w_w, Tensor b_w, str act) -> Tensor[]",
      &mmca::strip_transform);
  m.def(
      "coord_strip_transform_backward(Tensor grad_gate_h, "
      "Tensor grad_gate_w, Tensor z, Tensor gate_h, Tensor gate_w, Tensor v, "
      "Tensor u_hat, Tensor rstd, Tensor w1, Tensor? bn_weight, "
      "bool batch_stats, Tensor w_h, Tensor w_w, str act) -> Tensor[]",
      &mmca::strip_transform_backward);
  const std::string block_args =
      "Tensor w1, Tensor b1, Tensor? bn_weight, Tensor? bn_bias, "
      "Tensor bn_mean, Tensor bn_var, float eps, Tensor w_h, Tensor b_h, "
      "Tensor w_w, Tensor b_w, str act, float? relu_max=None, "
      "Tensor(b!)? gate_h_out=None, Tensor(c!)? gate_w_out=None)";
  m.def(("coord_attention_inference(Tensor x, " + block_args + " -> Tensor")
            .c_str(),
        &block<false>);
  m.def(("coord_attention_inference_(Tensor(a!) x, " + block_args +
         " -> Tensor(a!)")
            .c_str(),
        &block<true>);
}
