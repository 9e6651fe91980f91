// The strip transform of a training block, between the strip means and the
// gates, forward and backward in one call each (coord_strip_transform,
// coord_strip_transform_backward):
//   u = F_1 z + b_1                      (N, M, L), L = H + W
//   v = BN(u)                            batch statistics, or running ones
//   f = act(v)
//   g^h = sigmoid(F_h f^h + b_h)         (N, C, H)
//   g^w = sigmoid(F_w f^w + b_w)         (N, C, W)
// As autograd nodes, these ~10 small ops and their backward cost more in
// dispatch than in arithmetic: about 1 ms a block for tensors of a few
// thousand values. Here they are ATen calls from C++, with BN's and the
// activation's backward written out. BN matches torch's BatchNorm: biased
// variance to normalise, the unbiased one into the running variance, and
// the running statistics updated in place with the given momentum.
#include "ops.h"
#include "strip_activation.h"

namespace mmca {
namespace {

at::Tensor activate(const at::Tensor& v, StripActivation act) {
  switch (act) {
    case StripActivation::kHardswish: return at::hardswish(v);
    case StripActivation::kReLU: return at::relu(v);
    case StripActivation::kReLU6: return at::hardtanh(v, 0, 6);
    case StripActivation::kSiLU: return at::silu(v);
  }
  return v;
}

// The activation's gradient, as torch's own backward kernels compute it.
at::Tensor activation_backward(const at::Tensor& grad, const at::Tensor& v,
                               StripActivation act) {
  switch (act) {
    case StripActivation::kHardswish: return at::hardswish_backward(grad, v);
    case StripActivation::kReLU: return at::threshold_backward(grad, v, 0);
    case StripActivation::kReLU6: return at::hardtanh_backward(grad, v, 0, 6);
    case StripActivation::kSiLU: return at::silu_backward(grad, v);
  }
  return grad;
}

// A 1x1 conv's (out, in, 1, 1) weight as the (out, in) matrix.
at::Tensor matrix(const at::Tensor& weight) {
  return weight.reshape({weight.size(0), weight.size(1)});
}

at::Tensor channel_view(const at::Tensor& t) { return t.view({1, -1, 1}); }

}  // namespace

std::vector<at::Tensor> strip_transform(
    const at::Tensor& z, int64_t h, const at::Tensor& w1, const at::Tensor& b1,
    const std::optional<at::Tensor>& bn_weight,
    const std::optional<at::Tensor>& bn_bias,
    const std::optional<at::Tensor>& bn_mean,
    const std::optional<at::Tensor>& bn_var, bool batch_stats,
    double momentum, double eps, const at::Tensor& w_h, const at::Tensor& b_h,
    const at::Tensor& w_w, const at::Tensor& b_w, const std::string& act) {
  TORCH_CHECK(z.dim() == 3 && h > 0 && h < z.size(2),
              "strips must be (N, C, H + W) with 0 < H < H + W, got ",
              z.sizes(), " and H = ", h);
  TORCH_CHECK(batch_stats || (bn_mean && bn_var),
              "BN without batch statistics needs its running ones");
  const auto activation = parse_activation(act);
  const int64_t len = z.size(2);
  const auto u = at::matmul(matrix(w1), z) + channel_view(b1);  // (N, M, L)
  at::Tensor mean, rstd;
  if (batch_stats) {
    const auto [var, batch_mean] =
        at::var_mean(u, {0, 2}, /*correction=*/0, /*keepdim=*/true);
    mean = batch_mean;
    rstd = (var + eps).rsqrt();
    if (bn_mean && bn_var) {
      const double count = static_cast<double>(u.numel() / u.size(1));
      TORCH_CHECK(count > 1, "BN in training needs more than one value per "
                  "channel, got strips ", z.sizes());
      bn_mean->mul_(1 - momentum).add_(mean.flatten(), momentum);
      bn_var->mul_(1 - momentum)
          .add_(var.flatten(), momentum * count / (count - 1));
    }
  } else {
    mean = channel_view(*bn_mean);
    rstd = channel_view((*bn_var + eps).rsqrt());
  }
  const auto u_hat = (u - mean) * rstd;
  auto v = bn_weight ? u_hat * channel_view(*bn_weight) : u_hat;
  if (bn_bias) v = v + channel_view(*bn_bias);
  const auto f = activate(v, activation);
  const auto gate_h = at::baddbmm(channel_view(b_h).expand({z.size(0), -1, h}),
                                  matrix(w_h).expand({z.size(0), -1, -1}),
                                  f.narrow(2, 0, h))
                          .sigmoid_();
  const auto gate_w =
      at::baddbmm(channel_view(b_w).expand({z.size(0), -1, len - h}),
                  matrix(w_w).expand({z.size(0), -1, -1}),
                  f.narrow(2, h, len - h))
          .sigmoid_();
  return {gate_h, gate_w, v, u_hat, rstd};
}

std::vector<at::Tensor> strip_transform_backward(
    const at::Tensor& grad_gate_h, const at::Tensor& grad_gate_w,
    const at::Tensor& z, const at::Tensor& gate_h, const at::Tensor& gate_w,
    const at::Tensor& v, const at::Tensor& u_hat, const at::Tensor& rstd,
    const at::Tensor& w1, const std::optional<at::Tensor>& bn_weight,
    bool batch_stats, const at::Tensor& w_h, const at::Tensor& w_w,
    const std::string& act) {
  const auto activation = parse_activation(act);
  const int64_t h = gate_h.size(2), len = z.size(2);
  const auto f = activate(v, activation);
  // Through the sigmoids and the gate convs.
  const auto d_logit_h = grad_gate_h * gate_h * (1 - gate_h);
  const auto d_logit_w = grad_gate_w * gate_w * (1 - gate_w);
  const auto grad_w_h =
      at::matmul(d_logit_h, f.narrow(2, 0, h).transpose(1, 2)).sum(0);
  const auto grad_w_w =
      at::matmul(d_logit_w, f.narrow(2, h, len - h).transpose(1, 2)).sum(0);
  const auto d_f = at::cat({at::matmul(matrix(w_h).t(), d_logit_h),
                            at::matmul(matrix(w_w).t(), d_logit_w)},
                           2);
  // Through the activation and BN.
  const auto d_v = activation_backward(d_f, v, activation);
  const auto grad_bn_bias = d_v.sum({0, 2});
  const auto grad_bn_weight = (d_v * u_hat).sum({0, 2});
  const auto scale = bn_weight ? channel_view(*bn_weight) * rstd : rstd;
  at::Tensor d_u;
  if (batch_stats) {
    const double count = static_cast<double>(v.numel() / v.size(1));
    d_u = scale * (d_v - channel_view(grad_bn_bias) / count -
                   u_hat * channel_view(grad_bn_weight) / count);
  } else {
    d_u = d_v * scale;
  }
  // Through the shared conv.
  const auto grad_w1 = at::matmul(d_u, z.transpose(1, 2)).sum(0);
  const auto grad_z = at::matmul(matrix(w1).t(), d_u);
  return {grad_z,
          grad_w1.view(w1.sizes()),
          d_u.sum({0, 2}),
          grad_bn_weight,
          grad_bn_bias,
          grad_w_h.view(w_h.sizes()),
          d_logit_h.sum({0, 2}),
          grad_w_w.view(w_w.sizes()),
          d_logit_w.sum({0, 2})};
}

}  // namespace mmca
