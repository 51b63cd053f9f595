#pragma once
// The "yarn" section of a "mode": "yarn" scenario: the Hadoop release, the yarn-site.xml values
// the ResourceManager model reads, and how long a new ApplicationMaster attempt takes to start.
#include "model/flink/yarn/yarn_site.hpp"
#include "sim/time.hpp"

namespace harness {

struct YarnSpec {
  model::flink::yarn::YarnVersion version;  // "version": "3.3"
  model::flink::yarn::YarnSiteEntries yarn_site_entries;
  model::flink::yarn::YarnSite site;  // parsed from yarn_site_entries
  // From the RM deciding on a new attempt to the AM process starting: container allocation on the
  // next NodeManager heartbeat, localization, JVM start ("am_launch_delay").
  sim::Duration am_launch_delay = sim::seconds(5);
};

}  // namespace harness
