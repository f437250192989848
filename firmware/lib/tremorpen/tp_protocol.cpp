#include "tp_protocol.h"

#include <cstring>

namespace tp {

namespace {
struct Crc32Table {
  uint32_t t[256];
  constexpr Crc32Table() : t() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1u) ? (0xEDB88320u ^ (c >> 1)) : (c >> 1);
      t[i] = c;
    }
  }
};
constexpr Crc32Table kCrc{};
}  // namespace

uint32_t crc32(const uint8_t* data, size_t n, uint32_t crc) {
  crc = ~crc;
  for (size_t i = 0; i < n; ++i) crc = kCrc.t[(crc ^ data[i]) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}

size_t cobs_encode(const uint8_t* in, size_t n, uint8_t* out) {
  size_t code_at = 0, o = 1;
  uint8_t code = 1;
  for (size_t i = 0; i < n; ++i) {
    if (in[i] == 0) {
      out[code_at] = code;
      code_at = o++;
      code = 1;
    } else {
      out[o++] = in[i];
      if (++code == 0xFF) {
        out[code_at] = code;
        code_at = o++;
        code = 1;
      }
    }
  }
  out[code_at] = code;
  return o;
}

int cobs_decode(const uint8_t* in, size_t n, uint8_t* out, size_t out_max) {
  size_t i = 0, o = 0;
  while (i < n) {
    uint8_t code = in[i++];
    if (code == 0) return -1;
    for (uint8_t k = 1; k < code; ++k) {
      if (i >= n || in[i] == 0 || o >= out_max) return -1;
      out[o++] = in[i++];
    }
    if (code != 0xFF && i < n) {
      if (o >= out_max) return -1;
      out[o++] = 0;
    }
  }
  return static_cast<int>(o);
}

void put_u16(uint8_t* p, uint16_t v) { p[0] = uint8_t(v); p[1] = uint8_t(v >> 8); }
void put_u32(uint8_t* p, uint32_t v) {
  for (int k = 0; k < 4; ++k) p[k] = uint8_t(v >> (8 * k));
}
void put_f32(uint8_t* p, float v) {
  uint32_t u;
  std::memcpy(&u, &v, 4);
  put_u32(p, u);
}
uint16_t get_u16(const uint8_t* p) { return uint16_t(p[0] | (p[1] << 8)); }
uint32_t get_u32(const uint8_t* p) {
  return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
}
float get_f32(const uint8_t* p) {
  uint32_t u = get_u32(p);
  float v;
  std::memcpy(&v, &u, 4);
  return v;
}

size_t encode_frame(uint8_t type, uint16_t seq, const uint8_t* payload, size_t len, uint8_t* out) {
  if (len > PAYLOAD_MAX) len = PAYLOAD_MAX;
  uint8_t body[BODY_MAX];
  body[0] = type;
  put_u16(body + 1, seq);
  if (len) std::memcpy(body + 3, payload, len);
  put_u32(body + 3 + len, crc32(body, 3 + len));
  out[0] = 0;
  size_t n = cobs_encode(body, 3 + len + 4, out + 1);
  out[1 + n] = 0;
  return n + 2;
}

void pack_sample(const Sample& s, uint8_t* o) {
  put_u32(o + 0, s.index);
  put_u32(o + 4, s.t_us);
  for (int k = 0; k < 3; ++k) put_u16(o + 8 + 2 * k, uint16_t(s.acc[k]));
  put_f32(o + 14, s.x);
  put_f32(o + 18, s.e);
  put_f32(o + 22, s.y);
  put_u16(o + 26, s.duty);
  o[28] = s.algo;
  o[29] = s.flags;
  put_u16(o + 30, s.cfg);
}

void unpack_sample(const uint8_t* in, Sample& s) {
  s.index = get_u32(in);
  s.t_us = get_u32(in + 4);
  for (int k = 0; k < 3; ++k) s.acc[k] = int16_t(get_u16(in + 8 + 2 * k));
  s.x = get_f32(in + 14);
  s.e = get_f32(in + 18);
  s.y = get_f32(in + 22);
  s.duty = get_u16(in + 26);
  s.algo = in[28];
  s.flags = in[29];
  s.cfg = get_u16(in + 30);
}

void pack_status(const Status& s, uint8_t* o) {
  o[0] = s.algo;
  o[1] = s.flags;
  o[2] = s.fault;
  o[3] = s.reserved;
  put_u32(o + 4, s.samples);
  put_u32(o + 8, s.frames_sent);
  put_u32(o + 12, s.frames_dropped);
  put_u32(o + 16, s.overruns);
  put_u32(o + 20, s.rx_bad);
  put_f32(o + 24, s.mse_db);
  put_f32(o + 28, s.cpu_us);
}

bool Decoder::feed(uint8_t byte, Frame& out) {
  if (byte != 0) {
    if (n_ < sizeof(buf_)) buf_[n_++] = byte;
    else overflow_ = true;
    return false;
  }
  bool ok = chunk_done(out);
  n_ = 0;
  overflow_ = false;
  return ok;
}

bool Decoder::chunk_done(Frame& out) {
  if (n_ == 0 && !overflow_) return false;  // empty chunk between two delimiters
  uint8_t body[BODY_MAX];
  int m = overflow_ ? -1 : cobs_decode(buf_, n_, body, sizeof(body));
  if (m < 7 || crc32(body, size_t(m) - 4) != get_u32(body + m - 4)) {
    ++bad;
    return false;
  }
  out.type = body[0];
  out.seq = get_u16(body + 1);
  out.len = uint8_t(m - 7);
  std::memcpy(out.payload, body + 3, out.len);
  if (have_seq_) lost += uint16_t(out.seq - last_seq_ - 1);
  have_seq_ = true;
  last_seq_ = out.seq;
  ++good;
  return true;
}

}  // namespace tp
