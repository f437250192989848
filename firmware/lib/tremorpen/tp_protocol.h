// Wire protocol of the tremor pen (portable C++17, no Arduino headers).
//
// A frame on the wire is   0x00  COBS(body)  0x00
// body  = type:u8  seq:u16le  payload[0..PAYLOAD_MAX]  crc32:u32le
// crc32 = CRC-32/ISO-HDLC (zlib's crc32, reflected poly 0xEDB88320, init/xorout 0xFFFFFFFF)
//         over type, seq and payload.
// COBS (consistent overhead byte stuffing) removes every 0x00 from the body, so 0x00 only ever
// delimits frames: a receiver that starts mid-stream, or loses bytes, resynchronises at the next
// 0x00.  Each direction numbers its frames with its own 16-bit sequence counter; a receiver
// counts lost frames from the gaps.  The Python codec (tremorlab.pen.protocol) is the same
// protocol; both are checked against the byte vectors in firmware/tests/vectors.txt.
#pragma once
#include <cstddef>
#include <cstdint>

namespace tp {

constexpr uint8_t PROTOCOL_VERSION = 1;
constexpr size_t PAYLOAD_MAX = 64;
constexpr size_t BODY_MAX = 1 + 2 + PAYLOAD_MAX + 4;
constexpr size_t FRAME_MAX = BODY_MAX + BODY_MAX / 254 + 1 + 2;  // COBS overhead + two delimiters

// Message types. Host -> pen: 0x01..0x3F; pen -> host: 0x80..0xFF.
enum MsgType : uint8_t {
  MSG_HELLO = 0x01,        // payload: u8 protocol version of the host
  MSG_SET_PARAM = 0x02,    // u8 param id, f32 value          -> ACK (value = applied)
  MSG_GET_PARAM = 0x03,    // u8 param id                     -> PARAM
  MSG_SELECT_ALGO = 0x04,  // u8 algorithm id                 -> ACK
  MSG_MOTOR = 0x05,        // u8 on/off                       -> ACK
  MSG_STREAM = 0x06,       // u8 on/off                       -> ACK
  MSG_GET_STATUS = 0x07,   // (empty)                         -> STATUS
  MSG_SAVE = 0x08,         // (empty) write params to EEPROM  -> ACK
  MSG_RESET_FILTER = 0x09, // (empty) zero the weights        -> ACK
  MSG_DEFAULTS = 0x0A,     // (empty) factory parameters      -> ACK
  MSG_HELLO_ACK = 0x81,    // u8 proto, u8 fw major, minor, patch, u8 params version, u16 rate Hz,
                           // u8 n params, u8 n algorithms, char name[..]
  MSG_ACK = 0x82,          // u8 acked type, u16 acked seq, u8 status, f32 value
  MSG_PARAM = 0x83,        // u8 param id, f32 value
  MSG_STATUS = 0x87,       // see Status
  MSG_SAMPLE = 0x90,       // see Sample (telemetry, one per sensor sample)
  MSG_LOG = 0xE0,          // u8 level, ascii text
};

enum AckStatus : uint8_t {
  ACK_OK = 0,
  ACK_BAD_PARAM = 1,     // unknown parameter id
  ACK_BAD_VALUE = 2,     // value outside the parameter's range (value = the range limit it hit)
  ACK_UNKNOWN = 3,       // unknown message type
  ACK_BAD_VERSION = 4,   // HELLO with another protocol version
  ACK_BAD_LENGTH = 5,    // payload of the wrong size
  ACK_FAULT = 6,         // refused while in fault (motor on)
  ACK_STORAGE = 7,       // EEPROM write failed
};

enum SampleFlags : uint8_t {
  FLAG_STREAMING = 1u << 0,
  FLAG_MOTOR_ON = 1u << 1,
  FLAG_FAULT = 1u << 2,
  FLAG_SOFT_START = 1u << 3,
  FLAG_SATURATED = 1u << 4,
  FLAG_OVERRUN = 1u << 5,
};

// Telemetry sample, 32 bytes little-endian on the wire (offsets in brackets).
struct Sample {
  uint32_t index;    // [0]  sensor sample counter since boot
  uint32_t t_us;     // [4]  micros() when the sample was read
  int16_t acc[3];    // [8]  raw ADXL345 counts, full resolution (256 counts per g)
  float x;           // [14] reference: reconstructed tremor on the control axis, g
  float e;           // [18] residual at the sensor on the control axis (high-passed), g
  float y;           // [22] adaptive filter output, g
  uint16_t duty;     // [26] motor PWM duty in 1/10000
  uint8_t algo;      // [28] algorithm id
  uint8_t flags;     // [29] SampleFlags
  uint16_t cfg;      // [30] sequence number of the last command applied
};
constexpr size_t SAMPLE_SIZE = 32;

struct Status {
  uint8_t algo;          // [0]
  uint8_t flags;         // [1]
  uint8_t fault;         // [2] fault code (0 none, 1 sensor absent, 2 sensor stalled, 3 filter diverged)
  uint8_t reserved;      // [3]
  uint32_t samples;      // [4]
  uint32_t frames_sent;  // [8]
  uint32_t frames_dropped;// [12] telemetry frames not sent because the USB buffer was full
  uint32_t overruns;     // [16] timer ticks missed
  uint32_t rx_bad;       // [20] bad frames received
  float mse_db;          // [24] running MSE of the residual, dB
  float cpu_us;          // [28] mean processing time per sample, microseconds
};
constexpr size_t STATUS_SIZE = 32;

uint32_t crc32(const uint8_t* data, size_t n, uint32_t crc = 0);

// COBS: returns the encoded length (<= n + n/254 + 1), writes no delimiter.
size_t cobs_encode(const uint8_t* in, size_t n, uint8_t* out);
// Returns the decoded length, or -1 when the input is not valid COBS.
int cobs_decode(const uint8_t* in, size_t n, uint8_t* out, size_t out_max);

// Encode one frame (delimiters included) into out (>= FRAME_MAX bytes); returns its length.
size_t encode_frame(uint8_t type, uint16_t seq, const uint8_t* payload, size_t len, uint8_t* out);

void pack_sample(const Sample& s, uint8_t* out);
void unpack_sample(const uint8_t* in, Sample& s);
void pack_status(const Status& s, uint8_t* out);

// Little-endian helpers (alignment-safe).
void put_u16(uint8_t* p, uint16_t v);
void put_u32(uint8_t* p, uint32_t v);
void put_f32(uint8_t* p, float v);
uint16_t get_u16(const uint8_t* p);
uint32_t get_u32(const uint8_t* p);
float get_f32(const uint8_t* p);

struct Frame {
  uint8_t type;
  uint16_t seq;
  uint8_t len;
  uint8_t payload[PAYLOAD_MAX];
};

// Streaming decoder: feed bytes one at a time; returns true when a good frame is complete.
// Counts: good frames, bad frames (COBS error, too short, too long, CRC mismatch) and frames lost
// (gaps in the sequence numbers of good frames).
class Decoder {
 public:
  bool feed(uint8_t byte, Frame& out);
  void reset_counters() { good = bad = lost = 0; }
  uint32_t good = 0, bad = 0, lost = 0;

 private:
  bool chunk_done(Frame& out);
  uint8_t buf_[FRAME_MAX];
  size_t n_ = 0;
  bool overflow_ = false;
  bool have_seq_ = false;
  uint16_t last_seq_ = 0;
};

}  // namespace tp
