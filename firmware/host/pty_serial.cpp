// Serial of the host build: the master side of a pseudo-terminal (the client opens the slave,
// printed at start); --commands feeds timed bytes to the input, --serial-out writes the output to
// a file instead of the terminal.
#include <fcntl.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "Arduino.h"
#include "emu.h"

namespace emu {

int g_master = -1, g_slave = -1;
static std::deque<uint8_t> g_rx;
static std::vector<uint8_t> g_tx;
constexpr size_t TX_CAP = 16384;
FILE* g_out = nullptr;

// --commands: timed serial input
struct TimedBytes { double t_s; std::vector<uint8_t> bytes; };
static std::deque<TimedBytes> g_script;
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

bool open_pty() {
  if (openpty(&g_master, &g_slave, nullptr, nullptr, nullptr) != 0) {
    std::perror("tremorpen-emu: openpty");
    return false;
  }
  termios tio;
  tcgetattr(g_slave, &tio);
  cfmakeraw(&tio);
  tcsetattr(g_slave, TCSANOW, &tio);
  fcntl(g_master, F_SETFL, fcntl(g_master, F_GETFL) | O_NONBLOCK);
  return true;
}

void feed_script() {
  // the host's time, not the emulated clock: reading clock_ns() between ticks would move its
  // monotonic floor to the wall clock and cut short the replay of late ticks
  const double t = double(mono_ns() - g_t0_ns) * 1e-9;
  while (!g_script.empty() && g_script.front().t_s <= t) {
    g_rx.insert(g_rx.end(), g_script.front().bytes.begin(), g_script.front().bytes.end());
    g_script.pop_front();
  }
}

}  // namespace emu

using namespace emu;

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
