// hasim_model: the systems under test (ZooKeeper, Curator recipes, Flink). Each lives in its own
// folder; this file only gives the library a translation unit while they are being added.
