//! `/usr/lib/ocf/resource.d/masakari/hostmonitor`: the agent
//! [`ocf_agent::agents::hostmonitor::HostMonitor`]; the process around it (and why `main` is
//! the C entry point) is [`ocf_agent::service::entry`].
#![cfg_attr(not(test), no_main)]

ocf_agent::agent_main!(ocf_agent::agents::hostmonitor::HostMonitor);
