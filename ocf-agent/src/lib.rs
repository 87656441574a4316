//! The OCF resource agent `ocf:masakari:hostmonitor` and the OCF library under it.
