#pragma once
// AddressSanitizer must be told about every switch between stacks, or it mistakes a fiber's
// stack for the thread's and reports false errors when an exception unwinds a fiber. Debian's
// Boost.Fiber is built without those annotations, so the kernel adds them around its own
// switches (the loop <-> one fiber). Without ASan these compile to nothing.
#include <cstddef>

#if defined(__SANITIZE_ADDRESS__)  // gcc
#define HASIM_ASAN_FIBERS 1
#elif defined(__has_feature)       // clang
#if __has_feature(address_sanitizer)
#define HASIM_ASAN_FIBERS 1
#endif
#endif
#if defined(HASIM_ASAN_FIBERS)
#include <sanitizer/common_interface_defs.h>
#endif

namespace sim {

struct StackBounds {
  const void* bottom = nullptr;
  std::size_t size = 0;
};

#if defined(HASIM_ASAN_FIBERS)
inline void sanitizer_start_switch(void** fake_stack_save, const StackBounds& to) {
  __sanitizer_start_switch_fiber(fake_stack_save, to.bottom, to.size);
}
inline void sanitizer_finish_switch(void* fake_stack_save, StackBounds* from) {
  __sanitizer_finish_switch_fiber(fake_stack_save, from ? &from->bottom : nullptr, from ? &from->size : nullptr);
}
#else
inline void sanitizer_start_switch(void**, const StackBounds&) {}
inline void sanitizer_finish_switch(void*, StackBounds*) {}
#endif

}  // namespace sim
