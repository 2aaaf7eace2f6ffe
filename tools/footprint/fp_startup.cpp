// SPDX-License-Identifier: MIT
// tools/footprint/fp_startup.cpp: the smallest honest Cortex-M start-up for
// the footprint images (linked with -nostartfiles, nosys specs, no
// semihosting): clear .bss, run static constructors, call fp_main, sleep.
#include <cstdint>

extern "C" {
extern std::uint32_t __StackTop, __bss_start__, __bss_end__;
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();
int fp_main();
[[noreturn]] void Reset_Handler();
[[noreturn]] void Fault_Handler();
}

void Fault_Handler() {
  for (;;) __asm__ volatile("wfi");
}

void Reset_Handler() {
#if defined(__ARM_FP)
  *reinterpret_cast<volatile std::uint32_t*>(0xE000ED88u) |= 0xFu << 20;  // CPACR: CP10/CP11
  __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
  for (std::uint32_t* p = &__bss_start__; p < &__bss_end__; ++p) *p = 0;
  for (void (**f)() = __init_array_start; f < __init_array_end; ++f) (*f)();
  (void)fp_main();
  Fault_Handler();
}

using Handler = void (*)();
__attribute__((section(".isr_vector"), used)) const Handler fp_vector_table[4] = {
    reinterpret_cast<Handler>(&__StackTop), Reset_Handler, Fault_Handler, Fault_Handler};
