// Golden-vector check of the float32 filters: runs every file given on the command line (the
// binary form of `python -m tremorlab.adaptive.golden`, see scripts/golden_to_bin.py) and prints
// one line per file with the largest absolute differences from the float64 reference:
//   GOLDEN algo=rls n=2000 taps=4 err_y=.. err_e=.. err_w=.. ref_y=.. ref_e=.. ref_w=.. instr=..
// `instr` is the number of instructions per sample of push()+adapt() where the platform can
// count them (QEMU with -icount, see qemu/), else 0.  The Python test applies the tolerance.
// Then, per algorithm, the whole control tick (tp::Controller::process: DC blocker, internal
// model, filter, motor limits, statistics and the encoded telemetry frame) on a 5 Hz tremor with
// the motor on and telemetry streaming:
//   TICK algo=rls n=1000 instr=..
// Built for the host (g++) and for the Cortex-M7 (arm-none-eabi-g++, run in QEMU).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "tp_adxl345.h"
#include "tp_controller.h"
#include "tp_filters.h"

// Platform hooks: instruction counting (QEMU image) or nothing (host).
extern "C" uint32_t tp_counter_now();      // a down- or up-counter; see tp_counter_delta
extern "C" double tp_counter_delta(uint32_t start, uint32_t end);  // instructions between

namespace {
constexpr int NMAX = 4096;
float g_x[NMAX], g_d[NMAX], g_ecpp[NMAX];
double g_y[NMAX], g_e[NMAX];

bool rd(FILE* f, void* p, size_t n) { return std::fread(p, 1, n, f) == n; }

int run_file(const char* path) {
  FILE* f = std::fopen(path, "rb");
  if (!f) {
    std::printf("ERROR cannot open %s\n", path);
    return 1;
  }
  char magic[4];
  uint32_t algo, taps, n, ns, nsh;
  float par[7];
  float s[tp::MAX_SEC] = {}, sh[tp::MAX_SEC] = {};
  double wref[tp::MAX_TAPS];
  bool ok = rd(f, magic, 4) && std::memcmp(magic, "TPGV", 4) == 0 && rd(f, &algo, 4) && rd(f, &taps, 4) &&
            rd(f, &n, 4) && n <= NMAX && taps <= tp::MAX_TAPS && rd(f, par, sizeof(par)) && rd(f, &ns, 4) &&
            ns <= tp::MAX_SEC && rd(f, s, 4 * ns) && rd(f, &nsh, 4) && nsh <= tp::MAX_SEC && rd(f, sh, 4 * nsh) &&
            rd(f, g_x, 4 * n) && rd(f, g_d, 4 * n) && rd(f, g_y, 8 * n) && rd(f, g_e, 8 * n) && rd(f, wref, 8 * taps);
  std::fclose(f);
  if (!ok) {
    std::printf("ERROR %s: not a TPGV golden file (or sizes beyond n<=%d, taps<=%d)\n", path, NMAX, tp::MAX_TAPS);
    return 1;
  }
  tp::FilterConfig c;
  c.algo = uint8_t(algo);
  c.n_taps = int(taps);
  c.mu1 = par[0];
  c.mu2 = par[1];
  c.regularization = par[2];
  c.forgetting_factor = par[3];
  c.p0 = par[4];
  c.process_noise = par[5];
  c.measurement_noise = par[6];
  c.n_sec = nsh ? int(nsh) : 1;
  for (uint32_t k = 0; k < nsh; ++k) c.sec[k] = sh[k];
  tp::AdaptiveFilter flt;
  if (!flt.configure(c)) {
    std::printf("ERROR %s: configuration rejected\n", path);
    return 1;
  }
  tp::Fir plant;
  const bool fx = tp::is_filtered_x(c.algo);
  if (fx) plant.configure(s, int(ns));
  double err_y = 0, err_e = 0, err_w = 0, ref_y = 0, ref_e = 0, ref_w = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const float y = flt.push(g_x[i]);
    const float e = fx ? g_d[i] - plant.step(y) : g_d[i] - y;  // Fx (3)-(5) / plain (3)
    flt.adapt(e);
    g_ecpp[i] = e;
    err_y = std::fmax(err_y, std::fabs(double(y) - g_y[i]));
    err_e = std::fmax(err_e, std::fabs(double(e) - g_e[i]));
    ref_y = std::fmax(ref_y, std::fabs(g_y[i]));
    ref_e = std::fmax(ref_e, std::fabs(g_e[i]));
  }
  for (uint32_t k = 0; k < taps; ++k) {
    err_w = std::fmax(err_w, std::fabs(double(flt.weights()[k]) - wref[k]));
    ref_w = std::fmax(ref_w, std::fabs(wref[k]));
  }
  // timing pass: the filter alone (push + adapt), on the same error sequence
  flt.reset();
  const uint32_t t0 = tp_counter_now();
  for (uint32_t i = 0; i < n; ++i) {
    flt.push(g_x[i]);
    flt.adapt(g_ecpp[i]);
  }
  const uint32_t t1 = tp_counter_now();
  const double instr = tp_counter_delta(t0, t1) / double(n);
  std::printf("GOLDEN algo=%s n=%u taps=%u err_y=%.3e err_e=%.3e err_w=%.3e ref_y=%.4f ref_e=%.4f ref_w=%.4f instr=%.1f\n",
              tp::algorithm_name(c.algo), unsigned(n), unsigned(taps), err_y, err_e, err_w, ref_y, ref_e, ref_w, instr);
  return 0;
}
// The controller's surroundings, doing nothing: the tick's own work is what is counted.
struct NullLink : tp::Link {
  bool write_frame(const uint8_t*, size_t, bool) override { return true; }
};
struct NullBoard : tp::Board {
  bool save_params(const uint8_t*, size_t) override { return true; }
  bool restart_sampling(const tp::Params&) override { return true; }
};

int time_ticks(uint8_t algo) {
  constexpr int N = 1000;
  static int32_t sums[N];
  for (int i = 0; i < N; ++i)  // 0.05 g at 5 Hz on the control axis, 1 kHz, one FIFO entry per tick
    sums[i] = int32_t(std::lround(0.05 * std::sin(2.0 * 3.14159265358979 * 5.0 * i / 1000.0) * double(tp::adxl::COUNTS_PER_G)));
  NullLink link;
  NullBoard board;
  tp::Controller ctl(link, board);
  ctl.begin(nullptr);
  uint8_t frame[tp::FRAME_MAX];
  const uint8_t cmds[][2] = {{tp::MSG_SELECT_ALGO, algo}, {tp::MSG_STREAM, 1}, {tp::MSG_MOTOR, 1}};
  uint16_t seq = 1;
  for (const auto& c : cmds) ctl.receive(frame, tp::encode_frame(c[0], seq++, &c[1], 1, frame), 0);
  if (ctl.algorithm() != algo || !ctl.streaming() || !ctl.motor_on()) {
    std::printf("ERROR controller did not take algorithm %d, stream and motor on\n", int(algo));
    return 1;
  }
  const int16_t last[3] = {0, 0, int16_t(tp::adxl::COUNTS_PER_G)};
  const uint32_t t0 = tp_counter_now();
  for (int i = 0; i < N; ++i) {
    const int32_t sum[3] = {sums[i], 0, int32_t(tp::adxl::COUNTS_PER_G)};
    ctl.process(sum, 1, last, uint32_t(i) * 1000u);
  }
  const uint32_t t1 = tp_counter_now();
  std::printf("TICK algo=%s n=%d instr=%.1f\n", tp::algorithm_name(algo), N, tp_counter_delta(t0, t1) / double(N));
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  int bad = 0;
  for (int i = 1; i < argc; ++i) bad += run_file(argv[i]);
  for (uint8_t a = tp::ALGO_LMS; a < tp::ALGO_COUNT; ++a) bad += time_ticks(a);
  std::printf("DONE files=%d errors=%d\n", argc - 1, bad);
  return bad ? 1 : 0;
}
