# ZooKeeper conformance oracle: a driver over the real ZooKeeper C client, its smoke program and the
# timing probe. Include from tests/CMakeLists.txt:
#
#   include(${CMAKE_CURRENT_SOURCE_DIR}/conformance/conformance.cmake)
#
# Needs Debian's libzookeeper-mt-dev to build, and the zookeeper package (the server jars) for the
# CTest entries; without them everything here is skipped and the rest of the build is unaffected.
# tests/conformance/zk_ops.hpp itself has no dependency and can be used by the simulated side anyway.

set(HASIM_CONFORMANCE_DIR ${CMAKE_CURRENT_LIST_DIR})
find_path(HASIM_ZOOKEEPER_INCLUDE_DIR zookeeper/zookeeper.h)
find_library(HASIM_ZOOKEEPER_MT_LIBRARY zookeeper_mt)

if(NOT HASIM_ZOOKEEPER_INCLUDE_DIR OR NOT HASIM_ZOOKEEPER_MT_LIBRARY)
  message(STATUS "hasim: ZooKeeper oracle skipped: libzookeeper-mt-dev not installed")
else()
  find_package(Threads REQUIRED)

  add_library(hasim_zk_oracle STATIC ${HASIM_CONFORMANCE_DIR}/zk_oracle_client.cpp)
  target_compile_definitions(hasim_zk_oracle PUBLIC THREADED)
  target_include_directories(hasim_zk_oracle PUBLIC ${PROJECT_SOURCE_DIR} ${HASIM_ZOOKEEPER_INCLUDE_DIR})
  target_link_libraries(hasim_zk_oracle PUBLIC ${HASIM_ZOOKEEPER_MT_LIBRARY} Threads::Threads)

  add_executable(zk_oracle_smoke ${HASIM_CONFORMANCE_DIR}/zk_oracle_smoke.cpp)
  target_link_libraries(zk_oracle_smoke PRIVATE hasim_zk_oracle)

  add_executable(zk_timing ${HASIM_CONFORMANCE_DIR}/zk_timing.cpp)
  target_compile_definitions(zk_timing PRIVATE THREADED)
  target_include_directories(zk_timing PRIVATE ${HASIM_ZOOKEEPER_INCLUDE_DIR})
  target_link_libraries(zk_timing PRIVATE ${HASIM_ZOOKEEPER_MT_LIBRARY} Threads::Threads)

  if(EXISTS /usr/share/java/zookeeper.jar)
    # Real JVMs on fixed loopback ports: serial, labelled `oracle` (select with -L oracle, skip with -LE oracle).
    add_test(NAME zk_oracle_smoke_standalone
             COMMAND ${HASIM_CONFORMANCE_DIR}/run_oracle_smoke.sh $<TARGET_FILE:zk_oracle_smoke> standalone 22181)
    add_test(NAME zk_oracle_smoke_ensemble
             COMMAND ${HASIM_CONFORMANCE_DIR}/run_oracle_smoke.sh $<TARGET_FILE:zk_oracle_smoke> ensemble 22191)
    set_tests_properties(zk_oracle_smoke_standalone zk_oracle_smoke_ensemble
                         PROPERTIES LABELS oracle TIMEOUT 300 RUN_SERIAL TRUE)
  else()
    message(STATUS "hasim: ZooKeeper oracle tests skipped: /usr/share/java/zookeeper.jar missing (apt-get install zookeeper)")
  endif()
endif()
