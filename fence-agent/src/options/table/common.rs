//! The entries of fencing.py's `all_opt` that both agent families take, declared once.

use super::Kind::{Boolean, Integer, Second, String as Str};
use super::{OptSpec, bounded, hidden, opt, with};

/// `-a, --ip`.
#[rustfmt::skip]
pub(crate) const IPADDR: OptSpec = with(opt("ipaddr", Some('a'), "ip", Str), None, 1,
    "-a, --ip=[ip]                  IP address or hostname of fencing device",
    "IP address or hostname of fencing device");
/// `-l, --username`.
#[rustfmt::skip]
pub(crate) const LOGIN: OptSpec = with(opt("login", Some('l'), "username", Str), None, 1,
    "-l, --username=[name]          Login name", "Login name");
/// `-p, --password`.
#[rustfmt::skip]
pub(crate) const PASSWD: OptSpec = with(opt("passwd", Some('p'), "password", Str), None, 1,
    "-p, --password=[password]      Login password or passphrase",
    "Login password or passphrase");
/// `-S, --password-script`.
#[rustfmt::skip]
pub(crate) const PASSWD_SCRIPT: OptSpec =
    with(opt("passwd_script", Some('S'), "password-script", Str), None, 1,
    "-S, --password-script=[script] Script to run to retrieve password",
    "Script to run to retrieve password");
/// `-h, --help`.
#[rustfmt::skip]
pub(crate) const HELP: OptSpec = with(opt("help", Some('h'), "help", Boolean), None, 55,
    "-h, --help                     Display this help and exit", "Display help and exit");
/// `-D, --debug-file`.
#[rustfmt::skip]
pub(crate) const DEBUG: OptSpec = with(opt("debug", Some('D'), "debug-file", Str), None, 53,
    "-D, --debug-file=[debugfile]   Debugging to output file",
    "Write debug information to given file");
/// `-v, --verbose`.
#[rustfmt::skip]
pub(crate) const VERBOSE: OptSpec = with(opt("verbose", Some('v'), "verbose", Boolean), None, 51,
    "-v, --verbose                  Verbose mode. Multiple -v flags can be stacked on the command line (e.g., -vvv) to increase verbosity.",
    "Verbose mode. Multiple -v flags can be stacked on the command line (e.g., -vvv) to increase verbosity.");
/// `--verbose-level`. Below zero: fencing.py's warning, then 0 (check.rs), so no lower bound.
#[rustfmt::skip]
pub(crate) const VERBOSE_LEVEL: OptSpec =
    bounded(with(opt("verbose_level", None, "verbose-level", Integer), None, 52,
    "--verbose-level                Level of debugging detail in output. Defaults to the number of --verbose flags specified on the command line, or to 1 if verbose=1 in a stonith device configuration (i.e., on stdin).",
    "Level of debugging detail in output. Defaults to the number of --verbose flags specified on the command line, or to 1 if verbose=1 in a stonith device configuration (i.e., on stdin)."),
    i64::MIN, 100);
/// `-V, --version`.
#[rustfmt::skip]
pub(crate) const VERSION: OptSpec = with(opt("version", Some('V'), "version", Boolean), None, 54,
    "-V, --version                  Display version information and exit",
    "Display version information and exit");
/// `-o, --action`.
#[rustfmt::skip]
pub(crate) const ACTION: OptSpec = with(opt("action", Some('o'), "action", Str), Some("reboot"), 1,
    "-o, --action=[action]          Action: on, off, reboot (default), status, list, list-status, monitor, metadata, manpage, validate-all or diag",
    "Fencing action");
/// `--power-timeout`.
#[rustfmt::skip]
pub(crate) const POWER_TIMEOUT: OptSpec =
    with(opt("power_timeout", None, "power-timeout", Second), Some("20"), 200,
    "--power-timeout=[seconds]      Test X seconds for status change after ON/OFF",
    "Test X seconds for status change after ON/OFF");
/// `--shell-timeout`.
#[rustfmt::skip]
pub(crate) const SHELL_TIMEOUT: OptSpec =
    with(opt("shell_timeout", None, "shell-timeout", Second), Some("3"), 200,
    "--shell-timeout=[seconds]      Wait X seconds for cmd prompt after issuing command",
    "Wait X seconds for cmd prompt after issuing command");
/// `--login-timeout`.
#[rustfmt::skip]
pub(crate) const LOGIN_TIMEOUT: OptSpec =
    with(opt("login_timeout", None, "login-timeout", Second), Some("5"), 200,
    "--login-timeout=[seconds]      Wait X seconds for cmd prompt after login",
    "Wait X seconds for cmd prompt after login");
/// `--disable-timeout`.
#[rustfmt::skip]
pub(crate) const DISABLE_TIMEOUT: OptSpec =
    with(opt("disable_timeout", None, "disable-timeout", Str), None, 200,
    "--disable-timeout=[true/false]     Disable timeout (true/false) (default: true when run from Pacemaker 2.0+)",
    "Disable timeout (true/false) (default: true when run from Pacemaker 2.0+)");
/// `--power-wait` (fencing.py's default, 0; fence_ipmilan's table says 2).
#[rustfmt::skip]
pub(crate) const POWER_WAIT: OptSpec =
    with(opt("power_wait", None, "power-wait", Second), Some("0"), 200,
    "--power-wait=[seconds]         Wait X seconds after issuing ON/OFF",
    "Wait X seconds after issuing ON/OFF");
/// `--stonith-status-sleep`.
#[rustfmt::skip]
pub(crate) const STONITH_STATUS_SLEEP: OptSpec =
    with(opt("stonith_status_sleep", None, "stonith-status-sleep", Second), Some("1"), 200,
    "--stonith-status-sleep=[seconds]   Sleep X seconds between status calls during a STONITH action",
    "Sleep X seconds between status calls during a STONITH action");
/// `--retry-on`.
#[rustfmt::skip]
pub(crate) const RETRY_ON: OptSpec =
    bounded(with(opt("retry_on", None, "retry-on", Integer), Some("1"), 201,
    "--retry-on=[attempts]          Count of attempts to retry power on",
    "Count of attempts to retry power on"), 0, 100);
/// `--delay`.
#[rustfmt::skip]
pub(crate) const DELAY: OptSpec = with(opt("delay", None, "delay", Second), Some("0"), 200,
    "--delay=[seconds]              Wait X seconds before fencing is started",
    "Wait X seconds before fencing is started");
/// `--plug-separator`.
#[rustfmt::skip]
pub(crate) const PLUG_SEPARATOR: OptSpec =
    with(opt("plug_separator", None, "plug-separator", Str), Some(","), 100,
    "--plug-separator=[char]        Separator for plug parameter when specifying more than 1 plug",
    "Separator for plug parameter when specifying more than 1 plug");
/// `-q, --quiet`.
#[rustfmt::skip]
pub(crate) const QUIET: OptSpec = with(opt("quiet", Some('q'), "quiet", Boolean), None, 50,
    "-q, --quiet                    Disable logging to stderr. Does not affect --verbose or --debug-file or logging to syslog.",
    "Disable logging to stderr. Does not affect --verbose or --debug-file or logging to syslog.");
/// `--port-as-ip`.
#[rustfmt::skip]
pub(crate) const PORT_AS_IP: OptSpec =
    with(opt("port_as_ip", None, "port-as-ip", Boolean), None, 200,
    "--port-as-ip                   Make \"port/plug\" to be an alias to IP address",
    "Make \"port/plug\" to be an alias to IP address");
/// `-n, --plug` (with `--port-as-ip`).
#[rustfmt::skip]
pub(crate) const PORT: OptSpec = with(opt("port", Some('n'), "plug", Str), None, 1,
    "-n, --plug=[ip]                IP address or hostname of fencing device (together with --port-as-ip)",
    "IP address or hostname of fencing device (together with --port-as-ip)");
/// `-C, --separator` (not in metadata: fencing.py drops it for port-as-ip agents).
#[rustfmt::skip]
pub(crate) const SEPARATOR: OptSpec =
    hidden(with(opt("separator", Some('C'), "separator", Str), Some(","), 100,
    "-C, --separator=[char]         Separator for CSV created by 'list' operation",
    "Separator for CSV created by 'list' operation"));
