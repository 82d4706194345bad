// Measured memory read bandwidth: the roofline that decode speed (weights streamed once per token) is
// judged against.
#pragma once

namespace zeroidle::kernels {

// Streams a buffer much larger than the last-level cache with n_threads readers for about `seconds`
// and returns the best pass in GB/s (1e9 bytes/s). Allocates buffer_mib MiB for the duration.
double measure_read_bandwidth_gbs(int n_threads, double seconds = 0.3, int buffer_mib = 512);

}  // namespace zeroidle::kernels
