// Emulated clock of the host build: micros()/millis() from CLOCK_MONOTONIC since start (or the
// simulated time of --virtual-clock), and the IntervalTimer whose callback the main loop runs
// between loop() calls when its deadline has passed (one call per elapsed period, so a slow loop
// shows up as overruns, as on the Teensy).
#include <time.h>
#include <unistd.h>

#include <algorithm>

#include "Arduino.h"
#include "IntervalTimer.h"
#include "emu.h"

namespace emu {

bool g_virtual = false;     // --virtual-clock
uint64_t g_virtual_ns = 0;  // the simulated clock; advanced only by the main loop
uint64_t mono_ns() {
  if (g_virtual) return g_virtual_ns;
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}
uint64_t g_t0_ns = 0;
// Emulated clock.  While a timer tick is serviced, time runs from that tick's deadline, so a
// tick that the host scheduler delayed still samples the sensor at its own instant (late ticks
// are replayed, not dropped: host jitter delays telemetry but does not change the signal).
// Within a tick the clock advances by the host's elapsed time, but by at most a quarter of a
// period: the pen's processor is never preempted, while a host thread preempted in the middle
// of a tick would otherwise push the clock (which never runs backwards) past the ticks still to
// be replayed, and those would find the sensor's FIFO empty.
bool g_in_tick = false;
uint64_t g_tick_deadline_ns = 0, g_tick_fired_ns = 0, g_timer_period_ns = 0;
static uint64_t g_last_clock_ns = 0;
uint64_t clock_ns() {
  const uint64_t real = mono_ns();
  uint64_t v = g_in_tick ? g_tick_deadline_ns + std::min(real - g_tick_fired_ns, g_timer_period_ns / 4) : real;
  if (v < g_last_clock_ns) v = g_last_clock_ns;
  g_last_clock_ns = v;
  return v;
}
uint64_t now_us64() { return (clock_ns() - g_t0_ns) / 1000ull; }

// ---- timer ------------------------------------------------------------------------------
void (*g_timer_fn)() = nullptr;
uint64_t g_timer_next_ns = 0;

}  // namespace emu

using namespace emu;

uint32_t micros() { return uint32_t(now_us64()); }
uint32_t millis() { return uint32_t(now_us64() / 1000ull); }
void delay(uint32_t ms) { usleep(ms * 1000); }
void delayMicroseconds(uint32_t us) { usleep(us); }
void noInterrupts() {}
void interrupts() {}

bool IntervalTimer::begin(void (*fn)(), float period_us) {
  if (!(period_us >= 1.0f)) return false;
  g_timer_fn = fn;
  g_timer_period_ns = uint64_t(double(period_us) * 1000.0);
  g_timer_next_ns = mono_ns() + g_timer_period_ns;
  return true;
}
void IntervalTimer::end() { g_timer_fn = nullptr; }
