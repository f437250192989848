// The simulated motor's input: the PWM duty of the motor pin (analogWrite) with its history, so
// the simulated sensor (sim_sensor.cpp) sees the duty of a dead time ago.
#include <deque>

#include "Arduino.h"
#include "emu.h"

namespace emu {

constexpr uint8_t MOTOR_PIN = 2;
static int g_pwm_bits = 8;
struct DutyEvent { uint64_t t_us; double duty; };
static std::deque<DutyEvent> g_duty_hist{{0, 0.0}};
double duty_at(uint64_t t_us) {
  double d = g_duty_hist.front().duty;
  for (const auto& ev : g_duty_hist) {
    if (ev.t_us > t_us) break;
    d = ev.duty;
  }
  return d;
}

}  // namespace emu

using namespace emu;

void analogWriteResolution(uint8_t bits) { g_pwm_bits = bits; }
void analogWriteFrequency(uint8_t, float) {}
void analogWrite(uint8_t pin, int value) {
  if (pin != MOTOR_PIN) return;
  const double duty = double(value) / double((1 << g_pwm_bits) - 1);
  if (duty != g_duty_hist.back().duty) g_duty_hist.push_back({now_us64(), duty});
  const uint64_t keep = now_us64() - uint64_t(g_opt.motor_delay_us) - 100000ull;
  while (g_duty_hist.size() > 2 && g_duty_hist[1].t_us < keep) g_duty_hist.pop_front();
}
