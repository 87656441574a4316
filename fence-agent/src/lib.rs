//! A fence_ipmilan-compatible STONITH agent with a native IPMI-over-LAN client.
