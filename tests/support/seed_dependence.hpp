// ExpectSeedDependence: the check behind every registry's `randomised` trait.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "prospect/models/registry.hpp"

namespace prospect {

/// `first` and `second` are the saved files of one algorithm fitted on the same data with two
/// seeds: they must differ if the registry says the algorithm is randomised, and be equal if not.
inline void ExpectSeedDependence(const ModelTraits& traits, const std::string& first,
                                 const std::string& second) {
  if (traits.randomised) {
    EXPECT_NE(first, second) << "randomised, yet the seed changed nothing";
  } else {
    EXPECT_EQ(first, second) << "not randomised, yet the seed changed the model";
  }
}

}  // namespace prospect
