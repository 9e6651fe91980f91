// The gating pass: y = load(x) * g_h * g_w in one read and one write.
#pragma once

#include "common.h"

namespace mmca {

// Gates (N, C, H) and (N, C, W) of x's dtype for a 4-d CPU x, or an error.
void check_gates(const at::Tensor& x, const at::Tensor& gh,
                 const at::Tensor& gw);

// yp = load(xp) * gh * gw for one (H, W) plane and its contiguous gates.
// Plain row loops: with short rows, a band's masked vector stores (the tail
// of each row) were slower than the compiler's scalar remainder
// (docs/performance.md).
template <typename T, typename Load>
void gate_plane(const T* xp, const T* gh, const T* gw, T* yp, int64_t h,
                int64_t w, const Load& load) {
  for (int64_t i = 0; i < h; ++i) {
    const T g = gh[i];
    const T* row = xp + i * w;
    T* out = yp + i * w;
#pragma omp simd
    for (int64_t j = 0; j < w; ++j) out[j] = load(row[j]) * g * gw[j];
  }
}

// Calls plane_fn(p, gh_col, gw_row) for every plane p = b * C + k of an NCHW
// tensor, in parallel, with that plane's gates gathered contiguous.
template <typename T, typename PlaneFn>
void for_each_gated_plane(int64_t n, int64_t c, int64_t h, int64_t w,
                          Strip<T> gh, Strip<T> gw, const PlaneFn& plane_fn) {
  at::parallel_for(0, n * c, 1, [&](int64_t begin, int64_t end) {
    std::vector<T> gh_col(h), gw_row(w);
    for (int64_t p = begin; p < end; ++p) {
      gh.gather(p, c, h, gh_col.data());
      gw.gather(p, c, w, gw_row.data());
      plane_fn(p, gh_col.data(), gw_row.data());
    }
  });
}

template <typename T, typename Load>
void coord_gate_nchw(const T* x, Strip<T> gh, Strip<T> gw, T* y, int64_t n,
                     int64_t c, int64_t h, int64_t w, const Load& load) {
  for_each_gated_plane(n, c, h, w, gh, gw,
                       [&](int64_t p, const T* gh_col, const T* gw_row) {
    gate_plane(x + p * h * w, gh_col, gw_row, y + p * h * w, h, w, load);
  });
}

// gh, gw here are (N, L, C): the transposed strips.
template <typename T, typename Load>
void coord_gate_nhwc(const T* x, const T* gh, const T* gw, T* y, int64_t n,
                     int64_t c, int64_t h, int64_t w, const Load& load) {
  at::parallel_for(0, n * h, 1, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const int64_t b = r / h;
      const T* ghr = gh + r * c;
      for (int64_t j = 0; j < w; ++j) {
        const T* gwj = gw + (b * w + j) * c;
        const T* xv = x + (r * w + j) * c;
        T* out = y + (r * w + j) * c;
#pragma omp simd
        for (int64_t k = 0; k < c; ++k)
          out[k] = load(xv[k]) * ghr[k] * gwj[k];
      }
    }
  });
}

// Channels-last load(x) gated by contiguous (N, H, C) and (N, W, C) gates,
// into a new channels-last tensor or into x.
template <typename Load>
at::Tensor gate_nhwc(const at::Tensor& x, const at::Tensor& gh_nlc,
                     const at::Tensor& gw_nlc, bool inplace,
                     const Load& load) {
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  auto y = inplace ? x : at::empty_like(x, at::MemoryFormat::ChannelsLast);
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "coord_gate", [&] {
    coord_gate_nhwc<scalar_t>(x.data_ptr<scalar_t>(),
                              gh_nlc.data_ptr<scalar_t>(),
                              gw_nlc.data_ptr<scalar_t>(),
                              y.data_ptr<scalar_t>(), n, c, h, w, load);
  });
  return y;
}

}  // namespace mmca
