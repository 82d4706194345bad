// How far two correct implementations of a quantized dot product may disagree.
//
// Every format's dot product is a sum of terms (integer partial sums times float scales). Any
// implementation may group the integer parts differently (they are exact) but then rounds: at most
// kTermRoundings roundings forming a float term, and the float additions of at most T terms, where
// T is the number of values n (the finest grouping: one term per value), or 2n for Q4_K / Q5_K
// whose mins add one term per value at most. By the standard bound for summation in any order
// (Higham, Accuracy and Stability of Numerical Algorithms, sec. 4.2),
//   |computed - exact| <= gamma(T + kTermRoundings) * S + (T + kTermRoundings) * FLT_MIN,
// with u = 2^-24, gamma(m) = m u / (1 - m u), S = the sum of the absolute values of the terms, and
// the FLT_MIN part covering products that underflow or are flushed to zero (e.g. AVX-512 BF16).
// Two implementations may each be that far off, so tests compare with twice the bound.
#pragma once

#include <cstdint>

#include "kernels/formats.h"

namespace zeroidle::testing {

// Roundings a single term can see before it is summed: the product of the two block scales, the
// sub-block scale, the int->float conversion of an integer partial sum above 2^24, the product
// with that sum; plus the final float rounding of the result and 3 for computing S itself from
// dequantized (rounded) values.
constexpr int kTermRoundings = 8;

// S: sum over values i of |weight term| * |activation value| for weight row `w` (type t) and
// activation row `a` (type_traits(t).vec_dot_type), from the dequantized rows; for Q4_K / Q5_K the
// scale part |d sc_j q_i| and the min part |dmin m_j| are counted separately.
double dot_abs_terms(kernels::QType t, int64_t n, const void* w, const void* a);

// The worst-case |computed - exact| of one correct implementation (see above).
double dot_error_bound(kernels::QType t, int64_t n, const void* w, const void* a);

// The exact dot product of the dequantized rows, summed in double (a third opinion for tests).
double dot_exact(kernels::QType t, int64_t n, const void* w, const void* a);

}  // namespace zeroidle::testing
