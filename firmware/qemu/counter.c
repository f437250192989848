/* Instruction counting on the QEMU image.  QEMU runs with -icount shift=0: the virtual clock
   advances 1 ns per executed instruction, and SysTick (processor clock source) counts down at
   the board's clock in that virtual time.  The ratio instructions/tick is calibrated once on a
   loop of known length (2 instructions per iteration: subs + bne), so the result is a count of
   executed instructions, whatever QEMU's clock settings are. */
#include <stdint.h>

#define SYST_CSR (*(volatile uint32_t*)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t*)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t*)0xE000E018u)

static double g_instr_per_tick = 0.0;

static void start_systick(void) {
  if (SYST_CSR & 1u) return;
  SYST_RVR = 0x00FFFFFFu;
  SYST_CVR = 0u;
  SYST_CSR = 0x5u; /* enable, processor clock, no interrupt */
}

static uint32_t ticks_between(uint32_t a, uint32_t b) { return (a - b) & 0x00FFFFFFu; /* counts down */ }

static void calibrate(void) {
  start_systick();
  const uint32_t iters = 200000u;
  uint32_t n = iters;
  uint32_t t0 = SYST_CVR;
  __asm volatile("1: subs %0, %0, #1\n bne 1b" : "+r"(n) : : "cc");
  uint32_t t1 = SYST_CVR;
  uint32_t dt = ticks_between(t0, t1);
  g_instr_per_tick = dt ? (2.0 * iters) / (double)dt : 0.0;
}

uint32_t tp_counter_now(void) {
  if (g_instr_per_tick == 0.0) calibrate();
  return SYST_CVR;
}

double tp_counter_delta(uint32_t start, uint32_t end) { return ticks_between(start, end) * g_instr_per_tick; }
