// The coord_gate ops and the gate's backward pass.
#include "coord_gate.h"
#include "ops.h"

namespace mmca {
namespace {

// dgh (N, C, H) and dgw (N, C, W) are contiguous.
template <typename T>
void coord_gate_backward_nchw(const T* dy, const T* x, Strip<T> gh,
                              Strip<T> gw, T* dx, T* dgh, T* dgw, int64_t n,
                              int64_t c, int64_t h, int64_t w) {
  for_each_gated_plane(n, c, h, w, gh, gw,
                       [&](int64_t p, const T* gh_col, const T* gwp) {
    T* dgwp = dgw + p * w;
    for (int64_t j = 0; j < w; ++j) dgwp[j] = 0;
    for (int64_t i = 0; i < h; ++i) {
      const int64_t o = (p * h + i) * w;
      const T g = gh_col[i];
      T sum = 0;
#pragma omp simd reduction(+ : sum)
      for (int64_t j = 0; j < w; ++j) {
        const T d = dy[o + j];
        const T dx_times_x = d * x[o + j];
        dx[o + j] = d * g * gwp[j];
        sum += dx_times_x * gwp[j];
        dgwp[j] += dx_times_x * g;
      }
      dgh[p * h + i] = sum;
    }
  });
}

// gh, gw and their gradients dgh, dgw are (N, L, C) here.
template <typename T>
void coord_gate_backward_nhwc(const T* dy, const T* x, const T* gh,
                              const T* gw, T* dx, T* dgh, T* dgw, int64_t n,
                              int64_t c, int64_t h, int64_t w) {
  reduce_rows_nhwc(n, c, h, w, dgw, w, T(1),
                   [&](int64_t b, int64_t i, T* dgw_part) {
    const T* ghi = gh + (b * h + i) * c;
    T* dghi = dgh + (b * h + i) * c;
    std::fill(dghi, dghi + c, T(0));
    for (int64_t j = 0; j < w; ++j) {
      const int64_t o = ((b * h + i) * w + j) * c;
      const T* gwj = gw + (b * w + j) * c;
      T* dgwj = dgw_part + j * c;
#pragma omp simd
      for (int64_t k = 0; k < c; ++k) {
        const T d = dy[o + k];
        const T dx_times_x = d * x[o + k];
        dx[o + k] = d * ghi[k] * gwj[k];
        dghi[k] += dx_times_x * gwj[k];
        dgwj[k] += dx_times_x * ghi[k];
      }
    }
  });
}

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

// y = x * g_h * g_w, written into x itself when inplace (x then contiguous
// in its layout, as the outputs of convolutions are).
at::Tensor gate(const at::Tensor& x, const at::Tensor& gh, const at::Tensor& gw,
                bool inplace) {
  check_gates(x, gh, gw);
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  if (is_channels_last(x))
    return gate_nhwc(x, swap_strip_axes(gh), swap_strip_axes(gw), inplace,
                     AsIs{});
  const auto xc = x.contiguous();
  auto y = inplace ? x : at::empty_like(xc);
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "coord_gate", [&] {
    coord_gate_nchw<scalar_t>(xc.data_ptr<scalar_t>(), Strip<scalar_t>(gh),
                              Strip<scalar_t>(gw), y.data_ptr<scalar_t>(), n,
                              c, h, w);
  });
  return y;
}

}  // namespace

at::Tensor coord_gate(const at::Tensor& x, const at::Tensor& gh,
                      const at::Tensor& gw) {
  return gate(x, gh, gw, false);
}

at::Tensor coord_gate_(const at::Tensor& x, const at::Tensor& gh,
                       const at::Tensor& gw) {
  TORCH_CHECK(x.is_contiguous() || is_channels_last(x),
              "in-place gating needs a contiguous or channels-last x");
  return gate(x, gh, gw, true);
}

std::tuple<at::Tensor, at::Tensor, at::Tensor> coord_gate_backward(
    const at::Tensor& dy, const at::Tensor& x, const at::Tensor& gh,
    const at::Tensor& gw) {
  check_gates(x, gh, gw);
  TORCH_CHECK(dy.sizes() == x.sizes(), "dy and x must have one shape");
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  if (is_channels_last(x)) {
    const auto dyc = dy.contiguous(at::MemoryFormat::ChannelsLast);
    auto dx = at::empty_like(x, at::MemoryFormat::ChannelsLast);
    const auto ghl = swap_strip_axes(gh), gwl = swap_strip_axes(gw);
    auto dghl = at::empty_like(ghl), dgwl = at::empty_like(gwl);
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "coord_gate_backward", [&] {
      coord_gate_backward_nhwc<scalar_t>(
          dyc.data_ptr<scalar_t>(), x.data_ptr<scalar_t>(),
          ghl.data_ptr<scalar_t>(), gwl.data_ptr<scalar_t>(),
          dx.data_ptr<scalar_t>(), dghl.data_ptr<scalar_t>(),
          dgwl.data_ptr<scalar_t>(), n, c, h, w);
    });
    return {dx, swap_strip_axes(dghl), swap_strip_axes(dgwl)};
  }
  const auto dyc = dy.contiguous(), xc = x.contiguous();
  auto dx = at::empty_like(xc);
  auto dgh = at::empty({n, c, h}, x.options());
  auto dgw = at::empty({n, c, w}, x.options());
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "coord_gate_backward", [&] {
    coord_gate_backward_nchw<scalar_t>(
        dyc.data_ptr<scalar_t>(), xc.data_ptr<scalar_t>(),
        Strip<scalar_t>(gh), Strip<scalar_t>(gw), dx.data_ptr<scalar_t>(),
        dgh.data_ptr<scalar_t>(), dgw.data_ptr<scalar_t>(), n, c, h, w);
  });
  return {dx, dgh, dgw};
}

}  // namespace mmca
