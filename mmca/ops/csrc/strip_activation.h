// The activations the compiled ops apply to the strip transform's output
// (the delta of the paper's eq. 4), by the names their schemas take
// (mmca/ops/coord_attention_ops.py maps modules to them).
#pragma once

#include <c10/util/Exception.h>

#include <string>

namespace mmca {

enum class StripActivation { kHardswish, kReLU, kReLU6, kSiLU };

inline StripActivation parse_activation(const std::string& name) {
  if (name == "hardswish") return StripActivation::kHardswish;
  if (name == "relu") return StripActivation::kReLU;
  if (name == "relu6") return StripActivation::kReLU6;
  if (name == "silu") return StripActivation::kSiLU;
  TORCH_CHECK(false, "unknown strip activation '", name,
              "': expected hardswish, relu, relu6 or silu");
}

}  // namespace mmca
