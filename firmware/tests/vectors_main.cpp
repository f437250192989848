// Protocol byte vectors shared with the Python codec (tests/test_pen_protocol.py).
//   tp_vectors emit          print the vectors of a fixed message list
//   tp_vectors check FILE    encode and decode every vector of FILE; exit 1 on a mismatch
// Lines: "<type hex> <seq> <payload hex or -> <frame hex>".  Also checks values known
// independently of both codecs: the CRC-32 check value and the COBS examples of Cheshire & Baker.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "tp_params.h"
#include "tp_protocol.h"

namespace {
std::string hex(const uint8_t* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += d[p[i] >> 4];
    s += d[p[i] & 15];
  }
  return n ? s : "-";
}
std::vector<uint8_t> unhex(const std::string& s) {
  std::vector<uint8_t> v;
  if (s == "-") return v;
  for (size_t i = 0; i + 1 < s.size(); i += 2) v.push_back(uint8_t(std::stoul(s.substr(i, 2), nullptr, 16)));
  return v;
}
int fails = 0;
void expect(bool ok, const char* what) {
  if (!ok) {
    std::printf("FAIL %s\n", what);
    ++fails;
  }
}
void known_values() {
  const uint8_t check[] = "123456789";
  expect(tp::crc32(check, 9) == 0xCBF43926u, "crc32 check value 0xCBF43926");
  struct { std::vector<uint8_t> in, out; } cases[] = {
      {{0x00}, {0x01, 0x01}},
      {{0x00, 0x00}, {0x01, 0x01, 0x01}},
      {{0x11, 0x22, 0x00, 0x33}, {0x03, 0x11, 0x22, 0x02, 0x33}},
      {{0x11, 0x22, 0x33, 0x44}, {0x05, 0x11, 0x22, 0x33, 0x44}},
      {{0x11, 0x00, 0x00, 0x00}, {0x02, 0x11, 0x01, 0x01, 0x01}},
  };
  for (auto& c : cases) {
    uint8_t enc[16], dec[16];
    size_t n = tp::cobs_encode(c.in.data(), c.in.size(), enc);
    expect(n == c.out.size() && std::memcmp(enc, c.out.data(), n) == 0, "cobs encode example");
    int m = tp::cobs_decode(c.out.data(), c.out.size(), dec, sizeof(dec));
    expect(m == int(c.in.size()) && std::memcmp(dec, c.in.data(), c.in.size()) == 0, "cobs decode example");
  }
  std::vector<uint8_t> long_in(300);
  for (size_t i = 0; i < long_in.size(); ++i) long_in[i] = uint8_t(1 + i % 255);
  uint8_t enc[320], dec[320];
  size_t n = tp::cobs_encode(long_in.data(), long_in.size(), enc);
  int m = tp::cobs_decode(enc, n, dec, sizeof(dec));
  expect(m == 300 && std::memcmp(dec, long_in.data(), 300) == 0 && enc[0] == 0xFF, "cobs 254-byte blocks");
}
struct Msg { uint8_t type; uint16_t seq; std::vector<uint8_t> payload; };
std::vector<Msg> messages() {
  std::vector<Msg> v;
  v.push_back({tp::MSG_HELLO, 0, {tp::PROTOCOL_VERSION}});
  v.push_back({tp::MSG_GET_STATUS, 1, {}});
  uint8_t p[5] = {tp::P_STEP_SIZE_2};
  tp::put_f32(p + 1, 0.02f);
  v.push_back({tp::MSG_SET_PARAM, 2, std::vector<uint8_t>(p, p + 5)});
  v.push_back({tp::MSG_SELECT_ALGO, 65535, {7}});
  v.push_back({tp::MSG_MOTOR, 256, {1}});
  tp::Sample s{};
  s.index = 123456;
  s.t_us = 0x00ABCDEF;
  s.acc[0] = -12;
  s.acc[1] = 0;
  s.acc[2] = 256;
  s.x = 0.0125f;
  s.e = -0.5f;
  s.y = 3.0e-3f;
  s.duty = 4000;
  s.algo = 7;
  s.flags = tp::FLAG_STREAMING | tp::FLAG_MOTOR_ON;
  s.cfg = 2;
  uint8_t sp[tp::SAMPLE_SIZE];
  tp::pack_sample(s, sp);
  v.push_back({tp::MSG_SAMPLE, 513, std::vector<uint8_t>(sp, sp + tp::SAMPLE_SIZE)});
  std::vector<uint8_t> zeros(40, 0);
  v.push_back({tp::MSG_LOG, 7, zeros});
  std::vector<uint8_t> full(tp::PAYLOAD_MAX);
  for (size_t i = 0; i < full.size(); ++i) full[i] = uint8_t(i * 37);
  v.push_back({tp::MSG_LOG, 8, full});
  return v;
}
}  // namespace

int main(int argc, char** argv) {
  known_values();
  if (argc >= 2 && std::strcmp(argv[1], "emit") == 0) {
    for (auto& m : messages()) {
      uint8_t fr[tp::FRAME_MAX];
      size_t n = tp::encode_frame(m.type, m.seq, m.payload.data(), m.payload.size(), fr);
      std::printf("%02x %u %s %s\n", m.type, unsigned(m.seq), hex(m.payload.data(), m.payload.size()).c_str(),
                  hex(fr, n).c_str());
    }
    return fails ? 1 : 0;
  }
  if (argc >= 3 && std::strcmp(argv[1], "check") == 0) {
    FILE* f = std::fopen(argv[2], "r");
    if (!f) {
      std::printf("FAIL cannot open %s\n", argv[2]);
      return 1;
    }
    char t[8], pl[512], fr[512];
    unsigned seq;
    int count = 0;
    while (std::fscanf(f, "%7s %u %511s %511s", t, &seq, pl, fr) == 4) {
      auto payload = unhex(pl), frame = unhex(fr);
      uint8_t out[tp::FRAME_MAX];
      size_t n = tp::encode_frame(uint8_t(std::stoul(t, nullptr, 16)), uint16_t(seq), payload.data(), payload.size(), out);
      expect(n == frame.size() && std::memcmp(out, frame.data(), n) == 0, "encode matches vector");
      tp::Decoder dec;
      tp::Frame got;
      int frames = 0;
      for (uint8_t b : frame)
        if (dec.feed(b, got)) {
          ++frames;
          expect(got.type == std::stoul(t, nullptr, 16) && got.seq == seq && got.len == payload.size() &&
                     std::memcmp(got.payload, payload.data(), payload.size()) == 0,
                 "decode matches vector");
        }
      expect(frames == 1 && dec.bad == 0, "exactly one good frame per vector");
      ++count;
    }
    std::fclose(f);
    std::printf("checked %d vectors, %d failures\n", count, fails);
    return fails || count == 0 ? 1 : 0;
  }
  std::printf("usage: tp_vectors emit | check FILE\n");
  return 2;
}
