// Shared state of the emulator's parts (the host HAL of the firmware, see hal_host.cpp):
//   hal_host.cpp    options, EEPROM file, pins, signals, main loop
//   clock.cpp       emulated clock (wall or --virtual-clock), IntervalTimer, micros/millis
//   pty_serial.cpp  Serial on a pseudo-terminal, --commands script, --serial-out
//   sim_motor.cpp   PWM duty history of the motor pin (analogWrite)
//   sim_sensor.cpp  tremor file, simulated ADXL345 behind Wire
#pragma once

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <string>

namespace emu {

struct Options {
  std::string tremor, eeprom, commands, serial_out;
  unsigned seed = 0;
  double motor_g = 0.5, motor_tau_ms = 5.0, motor_delay_us = 1000.0, motor_hp_hz = 1.0, noise_mg = 2.9;
  double sensor_fail_after = -1.0, exit_after = -1.0, stall_ms = 0.0;
};
extern Options g_opt;                  // hal_host.cpp
extern volatile sig_atomic_t g_stop;   // hal_host.cpp: SIGTERM/SIGINT

// clock.cpp
extern bool g_virtual;       // --virtual-clock
extern uint64_t g_virtual_ns;
extern uint64_t g_t0_ns;
extern bool g_in_tick;
extern uint64_t g_tick_deadline_ns, g_tick_fired_ns, g_timer_period_ns;
extern void (*g_timer_fn)();
extern uint64_t g_timer_next_ns;
uint64_t mono_ns();
uint64_t clock_ns();
uint64_t now_us64();

// pty_serial.cpp
extern int g_master, g_slave;
extern FILE* g_out;  // --serial-out
bool load_script(const std::string& path);
bool open_pty();
void feed_script();
void pump_serial();

// sim_motor.cpp
double duty_at(uint64_t t_us);

// sim_sensor.cpp
bool load_tremor(const std::string& path);
void sensor_init(unsigned seed);

}  // namespace emu
