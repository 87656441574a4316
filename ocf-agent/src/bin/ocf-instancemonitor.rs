//! `/usr/lib/ocf/resource.d/masakari/instancemonitor`: the agent
//! [`ocf_agent::agents::instancemonitor::InstanceMonitor`]; the process around it (and why
//! `main` is the C entry point) is [`ocf_agent::service::entry`].
#![cfg_attr(not(test), no_main)]

ocf_agent::agent_main!(ocf_agent::agents::instancemonitor::InstanceMonitor);
