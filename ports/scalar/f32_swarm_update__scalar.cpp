// ports/scalar: the reference float particle update (see detail/swarm_kernel.hpp).
#include "starling/detail/swarm_kernel.hpp"

namespace starling {
namespace detail {
void f32_swarm_update__scalar(const SwarmStep<float>& s) noexcept { swarm_update_ref(s); }
}  // namespace detail
}  // namespace starling
