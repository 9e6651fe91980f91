// The strip_mean op.
#include "ops.h"
#include "strip_mean.h"

namespace mmca {

// [z_h, z_w] of load(x) as (N, C, H + W) views of both layouts.
at::Tensor strip_mean(const at::Tensor& x, std::optional<double> relu_max) {
  const auto z = with_load(relu_max, [&](const auto& load) {
    return strip_means(x, load);
  });
  return is_channels_last(x) ? z.transpose(1, 2) : z.transpose(0, 1);
}

}  // namespace mmca
