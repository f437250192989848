// Host HAL and the simulated pen hardware (the emulator): options, EEPROM, pins and the main loop here;
// the parts in clock.cpp, pty_serial.cpp, sim_motor.cpp and sim_sensor.cpp (their shared state: emu.h).
//
//  * time: micros()/millis() from CLOCK_MONOTONIC since start;
//  * IntervalTimer: the callback runs between loop() calls when its deadline has passed
//    (one call per elapsed period, so a slow loop shows up as overruns, as on the Teensy);
//  * Serial: the master side of a pseudo-terminal; the client opens the slave (printed at start);
//  * Wire: a simulated ADXL345 at 0x53 (registers, FIFO in stream mode, full resolution,
//    output data rate and range as configured), fed by a tremor file plus gravity and noise,
//    and by the simulated motor (PWM duty -> delay -> first-order lag -> high-pass -> g);
//  * EEPROM: a file of 4284 bytes (created, erased to 0xFF, when absent);
//  * analogWrite: the duty of the motor pin drives the simulated motor.
//
// Options (all optional):
//   --tremor FILE       float32 tremor file (see tremorlab.pen.emulator.write_tremor_file)
//   --eeprom FILE       EEPROM backing file
//   --seed N            sensor-noise seed
//   --motor-g G         motor acceleration per unit duty, g   (default 0.5)
//   --motor-tau-ms T    motor time constant, ms                (default 5)
//   --motor-delay-us D  motor dead time, us                    (default 1000)
//   --motor-hp-hz F     motor high-pass corner (no static force), Hz (default 1)
//   --noise-mg S        sensor noise at 100 Hz ODR, mg rms (grows with sqrt(ODR/100); default 2.9)
//   --sensor-fail-after S   the sensor stops answering after S seconds (fault injection)
//   --stall-ms M        once a second the host stalls M ms in the middle of a timer tick, as a
//                       preempted host thread does (fault injection; ignored with --virtual-clock)
//   --exit-after S      leave after S seconds
//   --virtual-clock     simulated time instead of the wall clock: the loop never sleeps, the
//                       clock jumps to the next timer tick, and code takes no time, so a run is
//                       deterministic and as fast as the host computes (batch runs and tests)
//   --commands FILE     timed input for the serial port: lines "<t_s> <hex bytes>"; the bytes
//                       arrive when the clock reaches t_s (with --virtual-clock: exactly then)
//   --serial-out FILE   what the firmware sends goes to FILE instead of the pseudo-terminal
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "Arduino.h"
#include "EEPROM.h"
#include "emu.h"

void setup();
void loop();

namespace emu {

Options g_opt;

// ---- EEPROM ----------------------------------------------------------------------------------
static std::vector<uint8_t> g_eeprom;
void eeprom_load() {
  g_eeprom.assign(4284, 0xFF);
  if (g_opt.eeprom.empty()) return;
  FILE* f = std::fopen(g_opt.eeprom.c_str(), "rb");
  if (!f) return;
  size_t got = std::fread(g_eeprom.data(), 1, g_eeprom.size(), f);
  (void)got;
  std::fclose(f);
}
void eeprom_store() {
  if (g_opt.eeprom.empty()) return;
  std::string tmp = g_opt.eeprom + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) return;
  std::fwrite(g_eeprom.data(), 1, g_eeprom.size(), f);
  std::fclose(f);
  std::rename(tmp.c_str(), g_opt.eeprom.c_str());
}

volatile sig_atomic_t g_stop = 0;
static void on_signal(int) { g_stop = 1; }

}  // namespace emu

using namespace emu;

void pinMode(uint8_t, uint8_t) {}
void digitalWrite(uint8_t, uint8_t) {}

EEPROMClass EEPROM;
uint8_t EEPROMClass::read(int addr) { return addr >= 0 && addr < int(g_eeprom.size()) ? g_eeprom[size_t(addr)] : 0xFF; }
void EEPROMClass::write(int addr, uint8_t v) {
  if (addr < 0 || addr >= int(g_eeprom.size())) return;
  g_eeprom[size_t(addr)] = v;
  eeprom_store();
}
void EEPROMClass::update(int addr, uint8_t v) {
  if (read(addr) != v) write(addr, v);
}

// ---- main --------------------------------------------------------------------------------------
int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "tremorpen-emu: option %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--tremor") g_opt.tremor = val();
    else if (a == "--eeprom") g_opt.eeprom = val();
    else if (a == "--seed") g_opt.seed = unsigned(std::strtoul(val(), nullptr, 10));
    else if (a == "--motor-g") g_opt.motor_g = std::atof(val());
    else if (a == "--motor-tau-ms") g_opt.motor_tau_ms = std::atof(val());
    else if (a == "--motor-delay-us") g_opt.motor_delay_us = std::atof(val());
    else if (a == "--motor-hp-hz") g_opt.motor_hp_hz = std::atof(val());
    else if (a == "--noise-mg") g_opt.noise_mg = std::atof(val());
    else if (a == "--sensor-fail-after") g_opt.sensor_fail_after = std::atof(val());
    else if (a == "--stall-ms") g_opt.stall_ms = std::atof(val());
    else if (a == "--exit-after") g_opt.exit_after = std::atof(val());
    else if (a == "--virtual-clock") g_virtual = true;
    else if (a == "--commands") g_opt.commands = val();
    else if (a == "--serial-out") g_opt.serial_out = val();
    else {
      std::fprintf(stderr, "tremorpen-emu: unknown option %s\n", a.c_str());
      return 2;
    }
  }
  g_t0_ns = mono_ns();
  if (!g_opt.tremor.empty() && !load_tremor(g_opt.tremor)) {
    std::fprintf(stderr, "tremorpen-emu: cannot read tremor file %s (expected the TPTR v1 format)\n", g_opt.tremor.c_str());
    return 2;
  }
  if (!g_opt.commands.empty() && !load_script(g_opt.commands)) {
    std::fprintf(stderr,
                 "tremorpen-emu: cannot read command file %s (expected lines \"<t_s> <hex bytes>\", "
                 "times not decreasing)\n",
                 g_opt.commands.c_str());
    return 2;
  }
  if (!g_opt.serial_out.empty() && !(g_out = std::fopen(g_opt.serial_out.c_str(), "wb"))) {
    std::fprintf(stderr, "tremorpen-emu: cannot write %s\n", g_opt.serial_out.c_str());
    return 2;
  }
  eeprom_load();
  sensor_init(g_opt.seed);
  if (!open_pty()) return 1;
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  signal(SIGPIPE, SIG_IGN);
  std::printf("{\"port\": \"%s\", \"pid\": %d, \"clock_zero_ns\": %llu}\n", ttyname(g_slave), int(getpid()),
              static_cast<unsigned long long>(g_t0_ns));
  std::fflush(stdout);

  setup();
  while (!g_stop) {
    feed_script();
    pump_serial();
    const uint64_t now = mono_ns();
    if (g_opt.exit_after >= 0 && double(now - g_t0_ns) * 1e-9 >= g_opt.exit_after) break;
    if (g_timer_fn && now >= g_timer_next_ns) {
      int burst = 0;
      while (g_timer_fn && mono_ns() >= g_timer_next_ns && burst < 500) {
        g_in_tick = true;
        g_tick_deadline_ns = g_timer_next_ns;
        g_tick_fired_ns = mono_ns();
        g_timer_next_ns += g_timer_period_ns;
        g_timer_fn();
        if (g_opt.stall_ms > 0 && !g_virtual &&
            (g_tick_deadline_ns - g_t0_ns) / 1000000000ull != (g_timer_next_ns - g_t0_ns) / 1000000000ull) {
          const timespec stall{time_t(g_opt.stall_ms / 1000.0), long(std::fmod(g_opt.stall_ms, 1000.0) * 1e6)};
          nanosleep(&stall, nullptr);  // --stall-ms: preempted in the middle of a tick
        }
        loop();
        g_in_tick = false;
        pump_serial();
        ++burst;
      }
      if (burst >= 500) g_timer_next_ns = mono_ns() + g_timer_period_ns;  // hopelessly behind: skip
    } else {
      loop();
    }
    pump_serial();
    // sleep until the next tick or incoming bytes
    const uint64_t after = mono_ns();
    if (g_timer_fn && after >= g_timer_next_ns) continue;
    const uint64_t wait_ns = g_timer_fn ? g_timer_next_ns - after : 5000000ull;
    if (g_virtual) {  // nothing happens in between: jump to the next tick
      g_virtual_ns = after + wait_ns;
      continue;
    }
    pollfd pfd{g_master, POLLIN, 0};
    timespec ts{time_t(wait_ns / 1000000000ull), long(wait_ns % 1000000000ull)};
    ppoll(&pfd, 1, &ts, nullptr);
  }
  pump_serial();
  if (g_out) std::fclose(g_out);
  close(g_master);
  close(g_slave);
  return 0;
}
