/* Minimal Cortex-M7 start-up for the QEMU mps2-an500 test image: vector table, FPU on
   (CPACR, before any floating-point instruction), .data/.bss set up, then newlib's rdimon
   _start (semihosting: argv from QEMU's -append, printf/fopen/exit through the host). */
#include <stdint.h>

extern uint32_t _stack_top, __etext, __data_start__, __data_end__, __bss_start__, __bss_end__;
extern void _start(void);
void Reset_Handler(void);
static void Fault_Handler(void) {
  for (;;) {
  }
}

__attribute__((section(".vectors"), used)) const void* const vector_table[16] = {
    &_stack_top, (const void*)Reset_Handler, (const void*)Fault_Handler, (const void*)Fault_Handler,
    (const void*)Fault_Handler, (const void*)Fault_Handler, (const void*)Fault_Handler, 0, 0, 0, 0,
    (const void*)Fault_Handler, (const void*)Fault_Handler, 0, (const void*)Fault_Handler, (const void*)Fault_Handler,
};

void Reset_Handler(void) {
  volatile uint32_t* const CPACR = (volatile uint32_t*)0xE000ED88u;
  *CPACR |= (0xFu << 20); /* CP10, CP11 full access */
  __asm volatile("dsb\n isb");
  uint32_t* src = &__etext;
  for (uint32_t* dst = &__data_start__; dst < &__data_end__;) *dst++ = *src++;
  for (uint32_t* dst = &__bss_start__; dst < &__bss_end__;) *dst++ = 0;
  _start();
  for (;;) {
  }
}
