// The coord_gate ops: y = load(x) * g_h * g_w in one read and one write.
#include "coord_gate.h"
#include "ops.h"

namespace mmca {
namespace {

// y = load(x) * g_h * g_w, written into x itself when inplace (x then
// contiguous in its layout, as the outputs of convolutions are).
template <typename Load>
at::Tensor gate(const at::Tensor& x, const at::Tensor& gh, const at::Tensor& gw,
                bool inplace, const Load& load) {
  check_gates(x, gh, gw);
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  if (is_channels_last(x))
    return gate_nhwc(x, swap_strip_axes(gh), swap_strip_axes(gw), inplace,
                     load);
  const auto xc = x.contiguous();
  auto y = inplace ? x : at::empty_like(xc);
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "coord_gate", [&] {
    coord_gate_nchw<scalar_t>(xc.data_ptr<scalar_t>(), Strip<scalar_t>(gh),
                              Strip<scalar_t>(gw), y.data_ptr<scalar_t>(), n,
                              c, h, w, load);
  });
  return y;
}

}  // namespace

void check_gates(const at::Tensor& x, const at::Tensor& gh,
                 const at::Tensor& gw) {
  check_input(x);
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  TORCH_CHECK(gh.sizes() == at::IntArrayRef({n, c, h}) &&
                  gw.sizes() == at::IntArrayRef({n, c, w}),
              "gates must be (N, C, H) and (N, C, W) for x of ", x.sizes(),
              ", got ", gh.sizes(), " and ", gw.sizes());
  TORCH_CHECK(gh.scalar_type() == x.scalar_type() &&
                  gw.scalar_type() == x.scalar_type(),
              "gates and x must share a dtype");
}

at::Tensor coord_gate(const at::Tensor& x, const at::Tensor& gh,
                      const at::Tensor& gw, std::optional<double> relu_max) {
  return with_load(relu_max, [&](const auto& load) {
    return gate(x, gh, gw, false, load);
  });
}

at::Tensor coord_gate_(const at::Tensor& x, const at::Tensor& gh,
                       const at::Tensor& gw, std::optional<double> relu_max) {
  TORCH_CHECK(x.is_contiguous() || is_channels_last(x),
              "in-place gating needs a contiguous or channels-last x");
  return with_load(relu_max, [&](const auto& load) {
    return gate(x, gh, gw, true, load);
  });
}

}  // namespace mmca
