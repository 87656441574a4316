//! Which of a device's parameters Pacemaker's fencer hands to the agent, and how it names the
//! host's port (`append_config_arg` and `make_args` in Pacemaker 2.1's `st_actions.c`).

/// The parameter carrying the port (plug) of the host to fence (`pcmk_host_argument`'s
/// default).
pub const HOST_ARGUMENT: &str = "port";

/// Whether Pacemaker passes parameter `name` with `value` to the agent: not its own
/// `pcmk_*` parameters, `action`, meta attributes or the feature set; and not a value with a
/// line break, which on the agent's stdin would become a second line.
pub fn passes(name: &str, value: &str) -> bool {
    let own = name.starts_with("pcmk_")
        || name.eq_ignore_ascii_case("action")
        || name.contains("CRM_meta")
        || name.eq_ignore_ascii_case("crm_feature_set");
    !own && !value.contains(['\n', '\r'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pacemakers_own_parameters_stay_with_pacemaker() {
        assert!(passes("ip", "10.0.0.1"));
        assert!(passes("password", "a=b c"));
        assert!(!passes("pcmk_host_list", "node1"));
        assert!(!passes("pcmk_reboot_action", "off"));
        assert!(!passes("action", "off"));
        assert!(!passes("CRM_meta_timeout", "20000"));
        assert!(!passes("crm_feature_set", "3.16.1"));
        assert!(!passes("password", "line1\nlanplus=0"));
    }
}
