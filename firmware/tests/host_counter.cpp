// Host build: no instruction counter (the per-sample estimate comes from the QEMU image).
#include <cstdint>
extern "C" uint32_t tp_counter_now() { return 0; }
extern "C" double tp_counter_delta(uint32_t, uint32_t) { return 0.0; }
