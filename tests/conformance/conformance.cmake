# ZooKeeper conformance oracle: a driver over the real ZooKeeper C client, its smoke program and the
# timing probe. Include from tests/CMakeLists.txt:
#
#   include(${CMAKE_CURRENT_SOURCE_DIR}/conformance/conformance.cmake)
#
# Needs Debian's libzookeeper-mt-dev to build, and the zookeeper package (the server jars) for the
# CTest entries; without them everything here is skipped and the rest of the build is unaffected.
# tests/conformance/zk_ops.hpp itself has no dependency and can be used by the simulated side anyway.
#
# Targets: hasim_zk_oracle, zk_oracle_smoke, zk_timing, zk_oracle_record, zk_conformance_oracle_tests
# (CTest, label `oracle`, serial: real servers) when the packages are there; hasim_sim_conformance and
# sim_conformance_tests (CTest, label `conformance`: simulation only) always. See README.md.

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

  # Records golden/directed/*.jsonl from a running server (zk_directed_sequences.hpp).
  add_executable(zk_oracle_record ${HASIM_CONFORMANCE_DIR}/zk_oracle_record.cpp)
  target_link_libraries(zk_oracle_record PRIVATE hasim_zk_oracle)

  # Generated sequences against a real server AND the simulation (needs rapidcheck). The test
  # itself skips when the server package is missing; it picks free loopback ports.
  add_executable(zk_conformance_oracle_tests ${HASIM_CONFORMANCE_DIR}/oracle_conformance_test.cpp)
  target_compile_definitions(zk_conformance_oracle_tests PRIVATE HASIM_CONFORMANCE_DIR="${HASIM_CONFORMANCE_DIR}")
  target_link_libraries(zk_conformance_oracle_tests PRIVATE hasim_zk_oracle hasim_sim_conformance
                        rapidcheck GTest::gtest GTest::gtest_main)
  # One CTest entry per property; real JVMs: serial, label `oracle`.
  add_test(NAME zk_conformance_oracle_directed
           COMMAND zk_conformance_oracle_tests --gtest_filter=OracleConformance.DirectedSequencesStandalone)
  add_test(NAME zk_conformance_oracle_standalone
           COMMAND zk_conformance_oracle_tests --gtest_filter=OracleConformance.StandaloneMatchesSimulation)
  add_test(NAME zk_conformance_oracle_ensemble
           COMMAND zk_conformance_oracle_tests --gtest_filter=OracleConformance.ThreeServerEnsembleMatchesSimulation)
  # Part of `make test` (about 3 minutes on 2 cores: 500 standalone and 100 ensemble sequences, no
  # tolerance); `ctest -L oracle` or `make conformance` runs the oracle tests alone. The timeout leaves
  # room for shrinking after a failure (HASIM_CONFORMANCE_SHRINK_BUDGET_S).
  set_tests_properties(zk_conformance_oracle_directed zk_conformance_oracle_standalone zk_conformance_oracle_ensemble
                       PROPERTIES LABELS oracle TIMEOUT 600 RUN_SERIAL TRUE
                                  ENVIRONMENT "LSAN_OPTIONS=suppressions=${HASIM_CONFORMANCE_DIR}/lsan.supp"
                                  SKIP_REGULAR_EXPRESSION "\\[  SKIPPED \\]")
  if(HASIM_SANITIZE)
    # Under ASan+UBSan the point is memory and UB errors in the simulated ensemble and the oracle
    # client on every op kind, not the sequence count: 150 and 30 sequences (RapidCheck still walks
    # every size, over fewer cases) instead of 500 and 100.
    set_tests_properties(zk_conformance_oracle_standalone zk_conformance_oracle_ensemble PROPERTIES
                         ENVIRONMENT "LSAN_OPTIONS=suppressions=${HASIM_CONFORMANCE_DIR}/lsan.supp;HASIM_CONFORMANCE_CASES=150;HASIM_CONFORMANCE_ENSEMBLE_CASES=30")
  endif()

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

# ---------------------------------------------------------------------------------------------
# The simulated side: the same ops against the simulated ensemble (sim_conformance_runner), the
# golden smoke trace and the timing facts. No real server needed: built and run everywhere.
add_library(hasim_sim_conformance STATIC ${HASIM_CONFORMANCE_DIR}/sim_conformance_runner.cpp
                                         ${HASIM_CONFORMANCE_DIR}/zk_sequence_gen.cpp)
target_include_directories(hasim_sim_conformance PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(hasim_sim_conformance PUBLIC hasim_model hasim_sim rapidcheck)

add_executable(sim_conformance_tests ${HASIM_CONFORMANCE_DIR}/sim_golden_test.cpp
                                     ${HASIM_CONFORMANCE_DIR}/sim_timing_test.cpp
                                     ${HASIM_CONFORMANCE_DIR}/sim_property_test.cpp)
target_compile_definitions(sim_conformance_tests PRIVATE HASIM_CONFORMANCE_DIR="${HASIM_CONFORMANCE_DIR}")
target_link_libraries(sim_conformance_tests PRIVATE hasim_sim_conformance rapidcheck GTest::gtest GTest::gtest_main)
gtest_discover_tests(sim_conformance_tests DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300 LABELS conformance)
