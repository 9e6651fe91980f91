// The CoordAttention ncnn layer for the `ncnn` Python wheel: a subclass of
// the wheel's own ncnn.Layer, which ncnn.Net.register_custom_layer takes
// (mmca/ops/ncnn_layers.py).
#include <pybind11/pybind11.h>

#include "coord_attention_layer.h"

PYBIND11_MODULE(mmca_ncnn_layers, m) {
  // ncnn.Layer's binding lives in the wheel's module
  pybind11::module_::import("ncnn");
  pybind11::class_<mmca::CoordAttention, ncnn::Layer>(m, "CoordAttention")
      .def(pybind11::init<>());
}
