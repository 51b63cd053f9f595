# hasim assess: conf-directory reading, effective configuration, broken input, and the kill -9
# cross-check against ZooKeeper's session rules (a few seconds), plus the CLI on the docs' example.
hasim_test(harness_assess_tests harness/assess_test.cpp)
# The seed documents' example runs verbatim and reports the negotiated session timeout (Flink's
# 60 s default against tickTime 2000 ms: 40 s), with every fault class in the JSON.
add_test(NAME assess_docs_standalone WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
         COMMAND sh -c "out=$($<TARGET_FILE:hasim> assess examples/docs-standalone --seeds 2 --json) || exit 1; for k in '\"zookeeper_session_timeout_negotiated_ms\":40000' '\"fault\":\"kill-leader\"' '\"fault\":\"taskmanager-loss\"' '\"failover_ms\":{'; do echo \"$out\" | grep -q \"$k\" || { echo \"missing $k in $out\"; exit 1; }; done; $<TARGET_FILE:hasim> assess examples/docs-standalone --seeds 1 | grep -q 'zookeeper_session_timeout_negotiated  *40 s'")
# Broken input: exit 2 and one line on stderr naming file, line and key.
foreach(case "broken-yaml|config.yaml:6: path.root: not valid YAML" "bad-value|config.yaml:7: high-availability.zookeeper.client.session-timeout: "
             "bad-masters|masters:2: expected host:port" "unknown-zoo-key|zoo.cfg:3: syncLmit: unknown zoo.cfg key")
  string(REPLACE "|" ";" parts "${case}")
  list(GET parts 0 dir)
  list(GET parts 1 expected)
  add_test(NAME assess_bad_input_${dir} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
           COMMAND sh -c "err=$($<TARGET_FILE:hasim> assess tests/assess/${dir} --seeds 1 2>&1 >/dev/null); rc=$?; echo \"$err\"; test $rc -eq 2 && test $(printf '%s\\n' \"$err\" | wc -l) -eq 1 && printf '%s' \"$err\" | grep -qF 'hasim: error: tests/assess/${dir}/${expected}'")
endforeach()
# A replay command from the report reproduces the run: same trace hash twice.
add_test(NAME assess_replay_is_deterministic WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
         COMMAND sh -c "a=$($<TARGET_FILE:hasim> assess examples/docs-standalone --fault gc-pause-2x --seed 3 --json) && b=$($<TARGET_FILE:hasim> assess examples/docs-standalone --fault gc-pause-2x --seed 3 --json) && test \"$a\" = \"$b\" && echo \"$a\" | grep -q '\"trace_hash\":\"[0-9a-f]\\{16\\}\"'")
# --what-if: every variant is run and each recommendation names its variant.
add_test(NAME assess_what_if WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
         COMMAND sh -c "out=$($<TARGET_FILE:hasim> assess examples/docs-standalone --seeds 1 --what-if --jobs 2 --json) || exit 1; for k in '\"variant\":\"as-configured\"' '\"variant\":\"tolerate-suspended-on\"' '\"variant\":\"session-timeout-halved\"' '\"variant\":\"session-timeout-doubled\"' '\"variant\":\"curator-5.7\"' 'session-timeout-doubled: no change'; do echo \"$out\" | grep -q \"$k\" || { echo \"missing $k in $out\"; exit 1; }; done")
