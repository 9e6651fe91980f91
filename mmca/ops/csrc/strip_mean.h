// The strip-mean pass: both means of x in one read (see strip_mean.cpp).
#pragma once

#include "common.h"

namespace mmca {

// The means of one (H, W) plane of load(x): row means into zh, column
// means into zw. Each is scaled before it is stored: scaling zh afterwards
// read back single-value stores as vectors, which stalls store forwarding.
template <typename T, typename Load>
void plane_means(const T* xp, T* zh, T* zw, int64_t h, int64_t w,
                 const Load& load) {
  using Vec = at::vec::Vectorized<T>;
  constexpr int64_t vec = Vec::size();
  const T inv_w = T(1) / w, inv_h = T(1) / h;
  for_each_band<T, kBandChunks>(w, [&]<int kChunks>(int64_t j0,
                                                    int64_t width) {
    Vec col[kChunks];
    MMCA_UNROLL
    for (int ch = 0; ch < kChunks; ++ch) col[ch] = Vec(T(0));
    for (int64_t i = 0; i < h; ++i) {
      const T* row = xp + i * w + j0;
      Vec sum(T(0));
      MMCA_UNROLL
      for (int ch = 0; ch < kChunks; ++ch) {
        const Vec v = load(Vec::loadu(row + ch * vec,
                                      band_lanes<T>(ch, kChunks, width)));
        sum += v;
        col[ch] += v;
      }
      const T row_mean = inv_w * at::vec::vec_reduce_all<T>(
          [](const Vec& a, const Vec& b) { return a + b; }, sum);
      zh[i] = j0 == 0 ? row_mean : zh[i] + row_mean;
    }
    MMCA_UNROLL
    for (int ch = 0; ch < kChunks; ++ch)
      (col[ch] * Vec(inv_h))
          .store(zw + j0 + ch * vec, band_lanes<T>(ch, kChunks, width));
  });
}

// z is (C, N, H + W): z_h then z_w of each plane. Threads take channel
// ranges, so each writes one run of z and reads runs of x planes.
template <typename T, typename Load>
void strip_mean_nchw(const T* x, T* z, int64_t n, int64_t c, int64_t h,
                     int64_t w, const Load& load) {
  at::parallel_for(0, c, 1, [&](int64_t k0, int64_t k1) {
    for (int64_t b = 0; b < n; ++b) {
      for (int64_t k = k0; k < k1; ++k) {
        T* zhp = z + (k * n + b) * (h + w);
        plane_means(x + (b * c + k) * h * w, zhp, zhp + h, h, w, load);
      }
    }
  });
}

// Channels-last strips are accumulated as z (N, H + W, C) so the inner loop
// runs over contiguous channels; strip_mean returns its transposed view.
template <typename T, typename Load>
void strip_mean_nhwc(const T* x, T* z, int64_t n, int64_t c, int64_t h,
                     int64_t w, const Load& load) {
  const T inv_w = T(1) / w;
  reduce_rows_nhwc(n, c, h, w, z + h * c, h + w, T(1) / h,
                   [&](int64_t b, int64_t i, T* zw_part) {
    T* zhi = z + (b * (h + w) + i) * c;
    std::fill(zhi, zhi + c, T(0));
    for (int64_t j = 0; j < w; ++j) {
      const T* xv = x + ((b * h + i) * w + j) * c;
      T* zwj = zw_part + j * c;
#pragma omp simd
      for (int64_t k = 0; k < c; ++k) {
        const T v = load(xv[k]);
        zhi[k] += v;
        zwj[k] += v;
      }
    }
    for (int64_t k = 0; k < c; ++k) zhi[k] *= inv_w;
  });
}

// [z_h, z_w] of load(x) in the layout its kernel writes: (C, N, H + W) for
// NCHW x, (N, H + W, C) for channels-last x.
template <typename Load>
at::Tensor strip_means(const at::Tensor& x, const Load& load) {
  check_input(x);
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  if (is_channels_last(x)) {
    auto z = at::empty({n, h + w, c}, x.options());
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "strip_mean", [&] {
      strip_mean_nhwc<scalar_t>(x.data_ptr<scalar_t>(),
                                z.data_ptr<scalar_t>(), n, c, h, w, load);
    });
    return z;
  }
  const auto xc = x.contiguous();
  auto z = at::empty({c, n, h + w}, x.options());
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "strip_mean", [&] {
    strip_mean_nchw<scalar_t>(xc.data_ptr<scalar_t>(),
                              z.data_ptr<scalar_t>(), n, c, h, w, load);
  });
  return z;
}

}  // namespace mmca
