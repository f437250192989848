// Host HAL and the simulated pen hardware (the emulator).
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
#include <algorithm>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "Arduino.h"
#include "EEPROM.h"
#include "IntervalTimer.h"
#include "Wire.h"
#include "tp_adxl345.h"

void setup();
void loop();

namespace {

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
uint64_t g_tick_deadline_ns = 0, g_tick_fired_ns = 0, g_last_clock_ns = 0, g_timer_period_ns = 0;
uint64_t clock_ns() {
  const uint64_t real = mono_ns();
  uint64_t v = g_in_tick ? g_tick_deadline_ns + std::min(real - g_tick_fired_ns, g_timer_period_ns / 4) : real;
  if (v < g_last_clock_ns) v = g_last_clock_ns;
  g_last_clock_ns = v;
  return v;
}
uint64_t now_us64() { return (clock_ns() - g_t0_ns) / 1000ull; }

// ---- options ----------------------------------------------------------------------------
struct Options {
  std::string tremor, eeprom, commands, serial_out;
  unsigned seed = 0;
  double motor_g = 0.5, motor_tau_ms = 5.0, motor_delay_us = 1000.0, motor_hp_hz = 1.0, noise_mg = 2.9;
  double sensor_fail_after = -1.0, exit_after = -1.0, stall_ms = 0.0;
} g_opt;

// ---- timer ------------------------------------------------------------------------------
void (*g_timer_fn)() = nullptr;
uint64_t g_timer_next_ns = 0;

// ---- serial over a pseudo-terminal -------------------------------------------------------
int g_master = -1, g_slave = -1;
std::deque<uint8_t> g_rx;
std::vector<uint8_t> g_tx;
constexpr size_t TX_CAP = 16384;
FILE* g_out = nullptr;  // --serial-out

// --commands: timed serial input
struct TimedBytes { double t_s; std::vector<uint8_t> bytes; };
std::deque<TimedBytes> g_script;
bool load_script(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return false;
  char line[1024];
  bool ok = true;
  double last = -1.0;
  while (ok && std::fgets(line, sizeof(line), f)) {
    char* p = line;
    while (*p == ' ' || *p == '\t') ++p;
    if (*p == '#' || *p == '\n' || *p == '\0') continue;
    char* end = nullptr;
    TimedBytes tb{std::strtod(p, &end), {}};
    ok = end != p && tb.t_s >= last;  // times must not decrease
    last = tb.t_s;
    for (p = end; ok && *p;) {
      while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') ++p;
      if (!*p) break;
      unsigned v = 0;
      int used = 0;
      ok = std::sscanf(p, "%2x%n", &v, &used) == 1 && used == 2;
      tb.bytes.push_back(uint8_t(v));
      p += used;
    }
    if (ok) g_script.push_back(tb);
  }
  std::fclose(f);
  return ok;
}

void pump_serial() {
  uint8_t buf[4096];
  for (;;) {
    ssize_t n = ::read(g_master, buf, sizeof(buf));
    if (n > 0) {
      g_rx.insert(g_rx.end(), buf, buf + n);
      continue;
    }
    break;
  }
  if (g_out) {
    if (!g_tx.empty()) std::fwrite(g_tx.data(), 1, g_tx.size(), g_out);
    g_tx.clear();
  }
  while (!g_tx.empty()) {
    ssize_t n = ::write(g_master, g_tx.data(), g_tx.size());
    if (n <= 0) break;
    g_tx.erase(g_tx.begin(), g_tx.begin() + n);
  }
}

// ---- PWM / motor ---------------------------------------------------------------------------
constexpr uint8_t MOTOR_PIN = 2;
int g_pwm_bits = 8;
struct DutyEvent { uint64_t t_us; double duty; };
std::deque<DutyEvent> g_duty_hist{{0, 0.0}};
double duty_at(uint64_t t_us) {
  double d = g_duty_hist.front().duty;
  for (const auto& ev : g_duty_hist) {
    if (ev.t_us > t_us) break;
    d = ev.duty;
  }
  return d;
}

// ---- tremor source ---------------------------------------------------------------------------
struct Tremor {
  double rate = 0.0;
  size_t n = 0;
  std::vector<float> a;  // n x 3, g
  bool load(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return false;
    char magic[4];
    uint32_t version = 0, n_samples = 0, n_axes = 0;
    float rate_hz = 0;
    bool ok = std::fread(magic, 1, 4, f) == 4 && std::memcmp(magic, "TPTR", 4) == 0 &&
              std::fread(&version, 4, 1, f) == 1 && version == 1 && std::fread(&rate_hz, 4, 1, f) == 1 &&
              std::fread(&n_samples, 4, 1, f) == 1 && std::fread(&n_axes, 4, 1, f) == 1 && n_axes == 3 &&
              rate_hz > 0 && n_samples > 1;
    if (ok) {
      a.resize(size_t(n_samples) * 3);
      ok = std::fread(a.data(), 4, a.size(), f) == a.size();
      rate = rate_hz;
      n = n_samples;
    }
    std::fclose(f);
    return ok;
  }
  void at(double t, double out[3]) const {
    if (n == 0) {
      out[0] = out[1] = out[2] = 0.0;
      return;
    }
    double pos = std::fmod(t * rate, double(n));
    size_t i = size_t(pos);
    double frac = pos - double(i);
    size_t j = (i + 1) % n;
    for (int k = 0; k < 3; ++k) out[k] = (1.0 - frac) * a[i * 3 + k] + frac * a[j * 3 + k];
  }
} g_tremor;

// ---- simulated ADXL345 ----------------------------------------------------------------------
struct SimAdxl {
  uint8_t reg[64] = {};
  std::deque<int16_t> fifo;  // 3 per entry
  uint64_t next_sample_us = 0;
  std::mt19937_64 rng;
  std::normal_distribution<double> gauss{0.0, 1.0};
  double lag = 0.0, hp_y = 0.0, hp_x = 0.0;  // motor state
  int16_t data[3] = {0, 0, 0};
  uint64_t samples = 0;

  void init(unsigned seed) {
    rng.seed(seed);
    reg[tp::adxl::DEVID] = tp::adxl::DEVID_VALUE;
    reg[tp::adxl::BW_RATE] = 0x0A;
  }
  double odr() const {
    static const double rates[16] = {0.10, 0.20, 0.39, 0.78, 1.56, 3.13, 6.25, 12.5, 25, 50, 100, 200, 400, 800, 1600, 3200};
    return rates[reg[tp::adxl::BW_RATE] & 0x0F];
  }
  bool measuring() const { return reg[tp::adxl::POWER_CTL] & tp::adxl::POWER_MEASURE; }
  void generate(uint64_t t_us) {
    const double t = double(t_us) * 1e-6, dt = 1.0 / odr();
    double a[3];
    g_tremor.at(t, a);
    a[2] += 1.0;  // gravity, pen upright
    // motor: dead time, first-order lag, DC-free (an eccentric-mass motor gives no static force)
    const double u = duty_at(t_us > uint64_t(g_opt.motor_delay_us) ? t_us - uint64_t(g_opt.motor_delay_us) : 0);
    const double al = std::exp(-dt / (g_opt.motor_tau_ms * 1e-3));
    lag = al * lag + (1.0 - al) * u;
    const double ah = std::exp(-2.0 * M_PI * g_opt.motor_hp_hz * dt);
    hp_y = ah * (hp_y + lag - hp_x);
    hp_x = lag;
    a[0] += g_opt.motor_g * hp_y;
    const double sigma = g_opt.noise_mg * 1e-3 * std::sqrt(odr() / 100.0);
    const int range = 2 << (reg[tp::adxl::DATA_FORMAT] & 3);
    const double lim = range * 256.0;
    for (int k = 0; k < 3; ++k) {
      double c = std::round((a[k] + sigma * gauss(rng)) * 256.0);
      if (c > lim - 1) c = lim - 1;
      if (c < -lim) c = -lim;
      data[k] = int16_t(c);
    }
    ++samples;
    if ((reg[tp::adxl::FIFO_CTL] & 0xC0) == tp::adxl::FIFO_STREAM) {
      if (fifo.size() >= 32 * 3) fifo.erase(fifo.begin(), fifo.begin() + 3);  // stream: oldest dropped
      fifo.insert(fifo.end(), data, data + 3);
    }
  }
  void catch_up() {
    const uint64_t now = now_us64();
    if (!measuring()) {
      next_sample_us = now;
      return;
    }
    const double period = 1e6 / odr();
    int guard = 0;
    while (next_sample_us <= now && guard++ < 4096) {
      generate(next_sample_us);
      next_sample_us += uint64_t(period);
    }
    if (guard >= 4096) next_sample_us = now;
  }
  void write(uint8_t r, uint8_t v) {
    catch_up();
    if (r >= 64 || r == tp::adxl::DEVID || r == tp::adxl::FIFO_STATUS) return;
    reg[r] = v;
    if (r == tp::adxl::FIFO_CTL && (v & 0xC0) == 0) fifo.clear();  // bypass mode clears the FIFO
    if (r == tp::adxl::POWER_CTL && measuring()) next_sample_us = now_us64();
  }
  void read(uint8_t r, uint8_t* out, uint8_t n) {
    catch_up();
    const bool data_read = r >= tp::adxl::DATAX0 && r <= tp::adxl::DATAX0 + 5;
    int16_t entry[3] = {data[0], data[1], data[2]};
    if (data_read && !fifo.empty()) {
      for (int k = 0; k < 3; ++k) entry[k] = fifo[size_t(k)];
    }
    for (uint8_t i = 0; i < n; ++i) {
      const uint8_t a = uint8_t(r + i);
      if (a == tp::adxl::FIFO_STATUS) {
        out[i] = uint8_t(fifo.size() / 3 > 32 ? 32 : fifo.size() / 3);
      } else if (a >= tp::adxl::DATAX0 && a <= tp::adxl::DATAX0 + 5) {
        const int k = (a - tp::adxl::DATAX0) / 2;
        const uint16_t v = uint16_t(entry[k]);
        out[i] = (a - tp::adxl::DATAX0) % 2 ? uint8_t(v >> 8) : uint8_t(v & 0xFF);
      } else {
        out[i] = a < 64 ? reg[a] : 0;
      }
    }
    if (data_read && !fifo.empty()) fifo.erase(fifo.begin(), fifo.begin() + 3);
  }
} g_adxl;

void feed_script() {
  // the host's time, not the emulated clock: reading clock_ns() between ticks would move its
  // monotonic floor to the wall clock and cut short the replay of late ticks
  const double t = double(mono_ns() - g_t0_ns) * 1e-9;
  while (!g_script.empty() && g_script.front().t_s <= t) {
    g_rx.insert(g_rx.end(), g_script.front().bytes.begin(), g_script.front().bytes.end());
    g_script.pop_front();
  }
}

bool sensor_alive() {
  return !(g_opt.sensor_fail_after >= 0 && double(now_us64()) * 1e-6 >= g_opt.sensor_fail_after);
}

// I2C transaction state
uint8_t g_i2c_addr = 0;
std::vector<uint8_t> g_i2c_out;
std::deque<uint8_t> g_i2c_in;
uint8_t g_reg_ptr = 0;

// ---- EEPROM ----------------------------------------------------------------------------------
std::vector<uint8_t> g_eeprom;
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
void on_signal(int) { g_stop = 1; }

}  // namespace

// ---- Arduino API ---------------------------------------------------------------------------
uint32_t micros() { return uint32_t(now_us64()); }
uint32_t millis() { return uint32_t(now_us64() / 1000ull); }
void delay(uint32_t ms) { usleep(ms * 1000); }
void delayMicroseconds(uint32_t us) { usleep(us); }
void pinMode(uint8_t, uint8_t) {}
void digitalWrite(uint8_t, uint8_t) {}
void analogWriteResolution(uint8_t bits) { g_pwm_bits = bits; }
void analogWriteFrequency(uint8_t, float) {}
void analogWrite(uint8_t pin, int value) {
  if (pin != MOTOR_PIN) return;
  const double duty = double(value) / double((1 << g_pwm_bits) - 1);
  if (duty != g_duty_hist.back().duty) g_duty_hist.push_back({now_us64(), duty});
  const uint64_t keep = now_us64() - uint64_t(g_opt.motor_delay_us) - 100000ull;
  while (g_duty_hist.size() > 2 && g_duty_hist[1].t_us < keep) g_duty_hist.pop_front();
}
void noInterrupts() {}
void interrupts() {}

usb_serial_class Serial;
void usb_serial_class::begin(uint32_t) {}
int usb_serial_class::available() { return int(g_rx.size()); }
int usb_serial_class::read() {
  if (g_rx.empty()) return -1;
  int v = g_rx.front();
  g_rx.pop_front();
  return v;
}
size_t usb_serial_class::readBytes(char* buf, size_t n) {
  size_t k = 0;
  while (k < n && !g_rx.empty()) {
    buf[k++] = char(g_rx.front());
    g_rx.pop_front();
  }
  return k;
}
int usb_serial_class::availableForWrite() { return int(TX_CAP - g_tx.size()); }
size_t usb_serial_class::write(const uint8_t* buf, size_t n) {
  while (g_tx.size() + n > TX_CAP && !g_stop) {  // a blocking write, as on the Teensy
    pump_serial();
    if (g_tx.size() + n > TX_CAP) usleep(200);
  }
  g_tx.insert(g_tx.end(), buf, buf + n);
  pump_serial();
  return n;
}
void usb_serial_class::flush() { pump_serial(); }

TwoWire Wire;
void TwoWire::begin() {}
void TwoWire::setClock(uint32_t) {}
void TwoWire::beginTransmission(uint8_t addr) {
  g_i2c_addr = addr;
  g_i2c_out.clear();
}
size_t TwoWire::write(uint8_t b) {
  g_i2c_out.push_back(b);
  return 1;
}
uint8_t TwoWire::endTransmission(bool) {
  if (g_i2c_addr != tp::adxl::I2C_ADDR || !sensor_alive()) return 2;  // address NACK
  if (g_i2c_out.empty()) return 0;
  g_reg_ptr = g_i2c_out[0];
  for (size_t i = 1; i < g_i2c_out.size(); ++i) g_adxl.write(uint8_t(g_reg_ptr + i - 1), g_i2c_out[i]);
  return 0;
}
uint8_t TwoWire::requestFrom(uint8_t addr, uint8_t n) {
  g_i2c_in.clear();
  if (addr != tp::adxl::I2C_ADDR || !sensor_alive()) return 0;
  uint8_t buf[64];
  if (n > 64) n = 64;
  g_adxl.read(g_reg_ptr, buf, n);
  g_i2c_in.insert(g_i2c_in.end(), buf, buf + n);
  return n;
}
int TwoWire::available() { return int(g_i2c_in.size()); }
int TwoWire::read() {
  if (g_i2c_in.empty()) return -1;
  int v = g_i2c_in.front();
  g_i2c_in.pop_front();
  return v;
}

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

bool IntervalTimer::begin(void (*fn)(), float period_us) {
  if (!(period_us >= 1.0f)) return false;
  g_timer_fn = fn;
  g_timer_period_ns = uint64_t(double(period_us) * 1000.0);
  g_timer_next_ns = mono_ns() + g_timer_period_ns;
  return true;
}
void IntervalTimer::end() { g_timer_fn = nullptr; }

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
  if (!g_opt.tremor.empty() && !g_tremor.load(g_opt.tremor)) {
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
  g_adxl.init(g_opt.seed);
  if (openpty(&g_master, &g_slave, nullptr, nullptr, nullptr) != 0) {
    std::perror("tremorpen-emu: openpty");
    return 1;
  }
  termios tio;
  tcgetattr(g_slave, &tio);
  cfmakeraw(&tio);
  tcsetattr(g_slave, TCSANOW, &tio);
  fcntl(g_master, F_SETFL, fcntl(g_master, F_GETFL) | O_NONBLOCK);
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
