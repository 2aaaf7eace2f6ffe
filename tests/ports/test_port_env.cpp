// SPDX-License-Identifier: MIT
// STARLING_PORT=<name> in the environment selects the port on first use;
// argv[1] is the name the test expects to be running. Exit 77 (skipped)
// when that port is compiled in but this CPU cannot run it.
#include <cstring>

#include "check.hpp"
#include "starling/starling.hpp"

static const char* g_expect = "scalar";

TEST_CASE(environment_selects_port) {
  CHECK(std::strcmp(starling::active_port(), g_expect) == 0);
}

int main(int argc, char** argv) {
  if (argc > 1) g_expect = argv[1];
  for (int i = 0; i < starling::port_count(); ++i)
    if (std::strcmp(starling::port_name(i), g_expect) == 0 && !starling::port_supported(i)) {
      std::printf("port %s: this CPU lacks it, skipped\n", g_expect);
      return 77;
    }
  return check::run_all();
}
