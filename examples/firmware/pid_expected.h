// SPDX-License-Identifier: MIT
// examples/firmware/pid_expected.h: the tuned gains and best cost of the
// pid_tune problem as IEEE-754 bits, exactly as the desktop build of
// examples/pid_tune prints them (x86-64, gcc, -ffp-contract=off). Produced by:
//   ./build/examples/pid_tune/pid_tune | grep '^RESULT'
// The firmware (pid_firmware.cpp) must print the same line on every target;
// examples/firmware/check_result.py checks the desktop program against it.
#pragma once
#define PID_TUNE_EXPECTED "RESULT kp=0x40d5bc0c ki=0x3f9f6b8f kd=0x40933fd7 cost=0x3fa11b19"
