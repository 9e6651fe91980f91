// The backward passes of a training block, y = load(x) * g_h * g_w with the
// gates computed from z = [z_h, z_w], the strip means of load(x). The
// gates' gradients need dy and x; dz, the strips' gradient, needs those
// (through the small transform between z and the gates, which autograd
// runs); and dx needs dz. So two passes:
//   coord_gate_grad_gates       one read of dy and x:
//                               dg_h(i) = sum_j dy * load(x) * g_w(j),
//                               dg_w(j) = sum_i dy * load(x) * g_h(i);
//   coord_attention_grad_input  one read of dy (and of x under a clamp),
//                               one write of
//                               dx = load'(x) (dy g_h g_w + dz_h / W + dz_w / H),
// where the plain formulation writes dy g_h g_w and the two strip
// gradients as three tensors, sums them, and runs the producer's
// activation backward in a pass of its own.
#include "coord_gate.h"
#include "ops.h"

namespace mmca {
namespace {

// dgh (N, C, H) and dgw (N, C, W) are contiguous.
template <typename T, typename Load>
void grad_gates_nchw(const T* dy, const T* x, Strip<T> gh, Strip<T> gw,
                     T* dgh, T* dgw, int64_t n, int64_t c, int64_t h,
                     int64_t w, const Load& load) {
  for_each_gated_plane(n, c, h, w, gh, gw,
                       [&](int64_t p, const T* gh_col, const T* gwp) {
    T* dgwp = dgw + p * w;
    std::fill(dgwp, dgwp + w, T(0));
    for (int64_t i = 0; i < h; ++i) {
      const int64_t o = (p * h + i) * w;
      const T g = gh_col[i];
      T sum = 0;
#pragma omp simd reduction(+ : sum)
      for (int64_t j = 0; j < w; ++j) {
        const T dy_x = dy[o + j] * load(x[o + j]);
        sum += dy_x * gwp[j];
        dgwp[j] += dy_x * g;
      }
      dgh[p * h + i] = sum;
    }
  });
}

// gh, gw and their gradients dgh, dgw are (N, L, C) here.
template <typename T, typename Load>
void grad_gates_nhwc(const T* dy, const T* x, const T* gh, const T* gw,
                     T* dgh, T* dgw, int64_t n, int64_t c, int64_t h,
                     int64_t w, const Load& load) {
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
        const T dy_x = dy[o + k] * load(x[o + k]);
        dghi[k] += dy_x * gwj[k];
        dgwj[k] += dy_x * ghi[k];
      }
    }
  });
}

// sh (N, C, H) = dz_h / W and sw (N, C, W) = dz_w / H, contiguous.
template <typename T, typename Load>
void grad_input_nchw(const T* dy, const T* x, Strip<T> gh, Strip<T> gw,
                     const T* sh, const T* sw, T* dx, int64_t n, int64_t c,
                     int64_t h, int64_t w, const Load& load) {
  for_each_gated_plane(n, c, h, w, gh, gw,
                       [&](int64_t p, const T* gh_col, const T* gwp) {
    const T* swp = sw + p * w;
    for (int64_t i = 0; i < h; ++i) {
      const int64_t o = (p * h + i) * w;
      const T g = gh_col[i], s = sh[p * h + i];
#pragma omp simd
      for (int64_t j = 0; j < w; ++j)
        dx[o + j] = load.grad(x[o + j], dy[o + j] * g * gwp[j] + s + swp[j]);
    }
  });
}

// gh, gw, sh and sw are (N, L, C) here.
template <typename T, typename Load>
void grad_input_nhwc(const T* dy, const T* x, const T* gh, const T* gw,
                     const T* sh, const T* sw, T* dx, int64_t n, int64_t c,
                     int64_t h, int64_t w, const Load& load) {
  at::parallel_for(0, n * h, 1, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const int64_t b = r / h;
      const T *ghr = gh + r * c, *shr = sh + r * c;
      for (int64_t j = 0; j < w; ++j) {
        const T *gwj = gw + (b * w + j) * c, *swj = sw + (b * w + j) * c;
        const int64_t o = (r * w + j) * c;
#pragma omp simd
        for (int64_t k = 0; k < c; ++k)
          dx[o + k] = load.grad(x[o + k],
                                dy[o + k] * ghr[k] * gwj[k] + shr[k] + swj[k]);
      }
    }
  });
}

void check_grad(const at::Tensor& dy, const at::Tensor& x,
                const at::Tensor& gh, const at::Tensor& gw) {
  check_gates(x, gh, gw);
  TORCH_CHECK(dy.sizes() == x.sizes() && dy.scalar_type() == x.scalar_type(),
              "dy and x must have one shape and dtype");
}

}  // namespace

std::tuple<at::Tensor, at::Tensor> coord_gate_grad_gates(
    const at::Tensor& dy, const at::Tensor& x, const at::Tensor& gh,
    const at::Tensor& gw, std::optional<double> relu_max) {
  check_grad(dy, x, gh, gw);
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  return with_load(relu_max, [&](const auto& load)
                                 -> std::tuple<at::Tensor, at::Tensor> {
    if (is_channels_last(x)) {
      const auto dyc = dy.contiguous(at::MemoryFormat::ChannelsLast);
      const auto ghl = swap_strip_axes(gh), gwl = swap_strip_axes(gw);
      auto dghl = at::empty_like(ghl), dgwl = at::empty_like(gwl);
      AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "coord_gate_grad_gates", [&] {
        grad_gates_nhwc<scalar_t>(
            dyc.data_ptr<scalar_t>(), x.data_ptr<scalar_t>(),
            ghl.data_ptr<scalar_t>(), gwl.data_ptr<scalar_t>(),
            dghl.data_ptr<scalar_t>(), dgwl.data_ptr<scalar_t>(), n, c, h, w,
            load);
      });
      return {swap_strip_axes(dghl), swap_strip_axes(dgwl)};
    }
    const auto dyc = dy.contiguous(), xc = x.contiguous();
    auto dgh = at::empty({n, c, h}, x.options());
    auto dgw = at::empty({n, c, w}, x.options());
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "coord_gate_grad_gates", [&] {
      grad_gates_nchw<scalar_t>(
          dyc.data_ptr<scalar_t>(), xc.data_ptr<scalar_t>(),
          Strip<scalar_t>(gh), Strip<scalar_t>(gw), dgh.data_ptr<scalar_t>(),
          dgw.data_ptr<scalar_t>(), n, c, h, w, load);
    });
    return {dgh, dgw};
  });
}

at::Tensor coord_attention_grad_input(const at::Tensor& dy,
                                      const at::Tensor& x,
                                      const at::Tensor& gh,
                                      const at::Tensor& gw,
                                      const std::optional<at::Tensor>& dz,
                                      std::optional<double> relu_max) {
  check_grad(dy, x, gh, gw);
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  TORCH_CHECK(!dz || (dz->sizes() == at::IntArrayRef({n, c, h + w}) &&
                      dz->scalar_type() == x.scalar_type()),
              "grad_z must be (N, C, H + W) of x's dtype, got ",
              dz ? dz->sizes() : at::IntArrayRef{});
  // The strips' share of dx: each mean spreads its gradient evenly over the
  // W (or H) values it averaged.
  at::Tensor sh, sw;
  if (dz) {
    sh = dz->narrow(2, 0, h) / w;
    sw = dz->narrow(2, h, w) / h;
  } else {
    sh = at::zeros({n, c, h}, x.options());
    sw = at::zeros({n, c, w}, x.options());
  }
  return with_load(relu_max, [&](const auto& load) {
    if (is_channels_last(x)) {
      const auto dyc = dy.contiguous(at::MemoryFormat::ChannelsLast);
      auto dx = at::empty_like(x, at::MemoryFormat::ChannelsLast);
      const auto ghl = swap_strip_axes(gh), gwl = swap_strip_axes(gw),
                 shl = swap_strip_axes(sh), swl = swap_strip_axes(sw);
      AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "coord_attention_grad_input",
                                 [&] {
        grad_input_nhwc<scalar_t>(
            dyc.data_ptr<scalar_t>(), x.data_ptr<scalar_t>(),
            ghl.data_ptr<scalar_t>(), gwl.data_ptr<scalar_t>(),
            shl.data_ptr<scalar_t>(), swl.data_ptr<scalar_t>(),
            dx.data_ptr<scalar_t>(), n, c, h, w, load);
      });
      return dx;
    }
    const auto dyc = dy.contiguous(), xc = x.contiguous();
    const auto shc = sh.contiguous(), swc = sw.contiguous();
    auto dx = at::empty_like(xc);
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "coord_attention_grad_input",
                               [&] {
      grad_input_nchw<scalar_t>(
          dyc.data_ptr<scalar_t>(), xc.data_ptr<scalar_t>(),
          Strip<scalar_t>(gh), Strip<scalar_t>(gw), shc.data_ptr<scalar_t>(),
          swc.data_ptr<scalar_t>(), dx.data_ptr<scalar_t>(), n, c, h, w, load);
    });
    return dx;
  });
}

}  // namespace mmca
