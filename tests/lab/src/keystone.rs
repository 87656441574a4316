//! A real Keystone (PyPI `keystone`, in the lab venv) in the lab's `api` namespace, over HTTPS with
//! the lab's own CA ([`crate::tls`]): sqlite, fernet and credential keys, `keystone-manage db_sync`,
//! `fernet_setup`, `credential_setup` and `bootstrap`, served by gunicorn with
//! `keystone.wsgi.api:application` (one worker). Tokens last [`TOKEN_LIFETIME`] seconds, so tests see
//! renewals. The seed's objects are created as the seed creates them (setup/keystone-seed.py): the
//! `service` project, user `masakari` with the admin role on it, the `instance-ha` service and its
//! public, internal and admin endpoints in `RegionOne`.
//!
//! Passwords are random, kept in root-only files, and never passed in argv: `bootstrap` reads
//! `OS_BOOTSTRAP_PASSWORD`, the seed script reads the files, curl reads a request file.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::cmd::{command, output, run, spawn_detached};
use crate::error::{LabError, Result, file_error};
use crate::files::{self, Owner};
use crate::layout::{API_PORT, Host, Layout};
use crate::procs;
use crate::tls;
use crate::tools::Tools;
use crate::wait::poll_until;

/// The port Keystone listens on.
pub const PORT: u16 = 5000;
/// `[token] expiration`, in seconds.
pub const TOKEN_LIFETIME: u64 = 130;
/// The region of the catalog's endpoints.
pub const REGION: &str = "RegionOne";
/// The Masakari service user, as the seed names it.
pub const SERVICE_USER: &str = "masakari";
/// The project the service user has the admin role on.
pub const SERVICE_PROJECT: &str = "service";
/// How long the lab reuses its own admin token (well inside [`TOKEN_LIFETIME`]).
const ADMIN_TOKEN_REUSE: Duration = Duration::from_secs(60);

/// Keystone's directory.
pub fn dir(layout: &Layout) -> PathBuf {
    layout.host_dir(Host::Api).join("keystone")
}

/// Where the passwords and secrets live (root only).
pub fn secrets_dir(layout: &Layout) -> PathBuf {
    dir(layout).join("secrets")
}

/// The service user's password, as the monitors' configuration holds it.
pub fn service_password(layout: &Layout) -> Result<String> {
    let path = secrets_dir(layout).join("masakari-password");
    std::fs::read_to_string(&path).map_err(file_error(&path))
}

/// Keystone's URL as the seed's `auth_url` names it (no version: clients add `/v3`).
pub fn auth_url() -> String {
    format!("https://{}:{PORT}", Host::Api.address())
}

/// The Masakari endpoint registered in the catalog, as the seed registers it.
pub fn masakari_catalog_url() -> String {
    format!(
        "https://{}:{API_PORT}/v1/%(tenant_id)s",
        Host::Api.address()
    )
}

/// gunicorn's access log: one line per request, with the client's user agent.
pub fn access_log(layout: &Layout) -> PathBuf {
    dir(layout).join("access.log")
}

/// Configures and bootstraps Keystone, serves it and creates the seed's objects (the lab made its
/// CA, [`tls::make`], before the BMCs, which may use it too).
pub fn set_up(layout: &Layout, tools: &Tools) -> Result<()> {
    let d = dir(layout);
    for sub in [
        "",
        "fernet-keys",
        "receipt-keys",
        "credential-keys",
        "secrets",
    ] {
        files::dir(&d.join(sub), Owner::Root, 0o700)?;
    }
    for name in ["admin-password", "masakari-password"] {
        let password = hex(&files::random_bytes(12)?);
        files::write(
            &secrets_dir(layout).join(name),
            password.as_bytes(),
            Owner::Root,
            0o600,
        )?;
    }
    write_config(layout)?;
    for step in [
        &["db_sync"][..],
        &[
            "fernet_setup",
            "--keystone-user",
            "root",
            "--keystone-group",
            "root",
        ],
        &[
            "credential_setup",
            "--keystone-user",
            "root",
            "--keystone-group",
            "root",
        ],
    ] {
        run(manage(layout, tools).args(step))?;
    }
    bootstrap(layout, tools)?;
    serve(layout, tools)?;
    seed(layout, tools, &["objects"], &[&masakari_catalog_url()]).map(drop)
}

/// Starts gunicorn in the API namespace (when it is not running) and waits until Keystone answers.
pub fn serve(layout: &Layout, tools: &Tools) -> Result<()> {
    if answers(layout) {
        return Ok(());
    }
    let d = dir(layout);
    let mut cmd = command("ip", ["netns", "exec", &layout.netns(Host::Api)]);
    // No arguments: keystone parses the process's argv with oslo.config, so gunicorn takes its
    // settings from ./gunicorn.conf.py.
    cmd.arg(tools.venv_bin("gunicorn")).current_dir(&d);
    cmd.env("OS_KEYSTONE_CONFIG_FILES", d.join("keystone.conf"));
    spawn_detached(&mut cmd, &d.join("stdout.log"))?;
    poll_until("Keystone to answer", Duration::from_secs(60), || {
        Ok(answers(layout).then_some(()))
    })
}

/// Stops Keystone: kills its gunicorn processes (by PID) and waits until it no longer answers.
pub fn stop(layout: &Layout) -> Result<()> {
    let ns = layout.netns(Host::Api);
    poll_until("Keystone to stop", Duration::from_secs(20), || {
        procs::kill_named(&ns, "gunicorn");
        Ok(
            (procs::in_netns(&ns).iter().all(|p| p.comm != "gunicorn") && !answers(layout))
                .then_some(()),
        )
    })
}

/// Creates an application credential of the service user; its id, and the file holding its secret.
pub fn application_credential(
    layout: &Layout,
    tools: &Tools,
    name: &str,
) -> Result<(String, PathBuf)> {
    let id = seed(layout, tools, &["app-credential"], &[name])?;
    Ok((id.trim().to_owned(), secrets_dir(layout).join(name)))
}

/// How many tokens Keystone issued to clients whose user agent contains `agent`.
pub fn tokens_issued_to(layout: &Layout, agent: &str) -> usize {
    std::fs::read_to_string(access_log(layout))
        .unwrap_or_default()
        .lines()
        .filter(|l| {
            l.contains("\"POST /v3/auth/tokens") && l.contains(" 201 ") && l.contains(agent)
        })
        .count()
}

/// A file holding `X-Auth-Token: ...` of a fresh admin token, for curl's `-H @FILE` (the lab's own
/// requests to the Masakari API). Reused for a minute.
pub fn admin_token_header(layout: &Layout) -> Result<PathBuf> {
    let header = dir(layout).join("admin-token.header");
    let fresh = std::fs::metadata(&header)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .is_some_and(|age| age < ADMIN_TOKEN_REUSE);
    if fresh {
        return Ok(header);
    }
    let request = dir(layout).join("admin-login.json");
    let password = std::fs::read_to_string(secrets_dir(layout).join("admin-password"))
        .map_err(file_error(secrets_dir(layout).join("admin-password")))?;
    let body = serde_json::json!({"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "admin", "domain": {"id": "default"}, "password": password}}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}});
    files::write(&request, body.to_string().as_bytes(), Owner::Root, 0o600)?;
    let mut curl = command(
        "ip",
        ["netns", "exec", &layout.netns(Host::Api), "curl", "-sS"],
    );
    curl.args([
        "--fail",
        "--max-time",
        "10",
        "-o",
        "/dev/null",
        "-D",
        "-",
        "--cacert",
    ]);
    curl.arg(tls::ca_file(layout));
    curl.args(["-H", "Content-Type: application/json", "--data"]);
    curl.arg(format!("@{}", request.display()));
    curl.arg(format!("{}/v3/auth/tokens", auth_url()));
    let headers = output(&mut curl)?;
    let token = headers
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("x-subject-token")
                .then(|| value.trim().to_owned())
        })
        .ok_or_else(|| LabError::Answer {
            peer: "keystone".into(),
            detail: "no X-Subject-Token in the admin login's answer".into(),
        })?;
    files::write(
        &header,
        format!("X-Auth-Token: {token}\n").as_bytes(),
        Owner::Root,
        0o600,
    )?;
    Ok(header)
}

/// masakari.conf's lines for `auth_strategy = keystone` over HTTPS: `[keystone_authtoken]` with the
/// service user, and the API's own certificate.
pub fn masakari_conf(layout: &Layout) -> Result<String> {
    Ok(format!(
        "[keystone_authtoken]\n\
         www_authenticate_uri = {url}\n\
         auth_url = {url}\n\
         auth_type = password\n\
         project_domain_id = default\n\
         user_domain_id = default\n\
         project_name = {SERVICE_PROJECT}\n\
         username = {SERVICE_USER}\n\
         password = {password}\n\
         region_name = {REGION}\n\
         cafile = {ca}\n\
         [wsgi]\n\
         ssl_cert_file = {cert}\n\
         ssl_key_file = {key}\n",
        url = auth_url(),
        password = service_password(layout)?,
        ca = tls::ca_file(layout).display(),
        cert = tls::server_cert(layout).display(),
        key = tls::server_key(layout).display(),
    ))
}

/// The seed's `[api]` login lines: the service user's password, scoped to the service project.
pub fn password_login(layout: &Layout) -> Result<String> {
    Ok(format!(
        "auth_type = password\n\
         project_domain_id = default\n\
         user_domain_id = default\n\
         project_name = {SERVICE_PROJECT}\n\
         username = {SERVICE_USER}\n\
         password = {password}\n\
         project_domain_name = Default\n\
         user_domain_name = Default\n",
        password = service_password(layout)?,
    ))
}

/// `[api]` login lines for an application credential (see [`application_credential`]).
pub fn application_credential_login(id: &str, secret: &str) -> String {
    format!(
        "auth_type = v3applicationcredential\n\
         application_credential_id = {id}\n\
         application_credential_secret = {secret}\n"
    )
}

/// The seed's `masakarimonitors.conf` `[api]` and `[host]` sections (without its
/// `domain_name=Default`: [`seed_monitors_conf`] is the file whole), logging in with `login`
/// (e.g. [`password_login`]), with `extra_api` lines added to `[api]` (later keys win).
pub fn monitors_conf(layout: &Layout, login: &str, extra_api: &str) -> Result<String> {
    Ok(format!(
        "[DEFAULT]\n\
         host = ctl1\n\
         [api]\n\
         region = {REGION}\n\
         api_version = v1\n\
         api_interface = public\n\
         www_authenticate_uri = {url}\n\
         auth_url = {url}\n\
         auth_uri = {url}\n\
         {login}\
         cafile = {ca}\n\
         {extra_api}\n\
         [host]\n\
         monitoring_driver = default\n\
         monitoring_interval = 120\n\
         disable_ipmi_check = False\n\
         restrict_to_remotes = True\n",
        url = auth_url(),
        ca = tls::ca_file(layout).display(),
    ))
}

/// The seed deployment guide's `masakarimonitors.conf` (kept as the host monitor's test data
/// `seed-masakarimonitors.conf`) with only the host name, Keystone's addresses (its public port
/// 5000 and admin port 35357 are this lab's one Keystone) and the password changed. Its CA is not
/// in the file: the seed's hosts trust their CA system-wide, so the lab passes
/// [`tls::ca_file`] with `--set masakari.ca_file=...` (see [`ca_override`]).
pub fn seed_monitors_conf(layout: &Layout) -> Result<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../hostmonitor/tests/data/seed-masakarimonitors.conf");
    let seed = std::fs::read_to_string(&path).map_err(file_error(&path))?;
    let keystone = format!("{}:{PORT}", Host::Api.address());
    Ok(seed
        .replace("10.0.5.210:5000", &keystone)
        .replace("10.0.5.210:35357", &keystone)
        .replace("host = compute205", "host = ctl1")
        .replace(
            "password = tyun123",
            &format!("password = {}", service_password(layout)?),
        ))
}

/// Our monitor's `[masakari]` TOML for this Keystone: the seed's password login, the endpoint from
/// the catalog, the lab's CA (the file holding it must stay root-only: it has the password).
pub fn ours_masakari_toml(layout: &Layout) -> Result<String> {
    Ok(format!(
        "[masakari]\nendpoint = \"\"\nca_file = \"{ca}\"\n\
         [masakari.auth]\nmethod = \"keystone\"\nauth_url = \"{url}\"\n\
         username = \"{SERVICE_USER}\"\npassword = \"{password}\"\nuser_domain_id = \"default\"\n\
         project_name = \"{SERVICE_PROJECT}\"\nproject_domain_id = \"default\"\n\
         region_name = \"{REGION}\"\ninterface = \"public\"\n",
        ca = tls::ca_file(layout).display(),
        url = auth_url(),
        password = service_password(layout)?,
    ))
}

/// masakari-monitors' `[api]` section for this Keystone: the seed's password login without its
/// `domain_name` (which keystoneauth refuses beside a project), the catalog's public endpoint in
/// [`REGION`], the lab's CA.
pub fn incumbent_api_section(layout: &Layout) -> Result<String> {
    Ok(format!(
        "[api]\nauth_url = {url}\n{login}region = {REGION}\napi_interface = public\ncafile = {ca}\n",
        url = auth_url(),
        login = password_login(layout)?,
        ca = tls::ca_file(layout).display(),
    ))
}

/// The `--set` override that makes the monitor trust the lab's CA.
pub fn ca_override(layout: &Layout) -> String {
    format!("masakari.ca_file={}", tls::ca_file(layout).display())
}

fn write_config(layout: &Layout) -> Result<()> {
    let d = dir(layout);
    let conf = format!(
        "# Written by masakari-lab.\n\
         [DEFAULT]\n\
         log_file = {log}\n\
         [database]\n\
         connection = sqlite:///{db}\n\
         [token]\n\
         expiration = {TOKEN_LIFETIME}\n\
         [fernet_tokens]\n\
         key_repository = {fernet}\n\
         [fernet_receipts]\n\
         key_repository = {receipts}\n\
         [credential]\n\
         key_repository = {credential}\n",
        log = d.join("keystone.log").display(),
        db = d.join("keystone.db").display(),
        fernet = d.join("fernet-keys").display(),
        receipts = d.join("receipt-keys").display(),
        credential = d.join("credential-keys").display(),
    );
    files::write(
        &d.join("keystone.conf"),
        conf.as_bytes(),
        Owner::Root,
        0o600,
    )?;
    let gunicorn = format!(
        "wsgi_app = \"keystone.wsgi.api:application\"\n\
         bind = \"{addr}:{PORT}\"\n\
         workers = 1\n\
         certfile = \"{cert}\"\n\
         keyfile = \"{key}\"\n\
         accesslog = \"{access}\"\n\
         access_log_format = '%(h)s \"%(r)s\" %(s)s \"%(a)s\"'\n\
         errorlog = \"{errors}\"\n\
         control_socket_disable = True\n",
        addr = Host::Api.address(),
        cert = tls::server_cert(layout).display(),
        key = tls::server_key(layout).display(),
        access = access_log(layout).display(),
        errors = d.join("gunicorn.log").display(),
    );
    files::write(
        &d.join("gunicorn.conf.py"),
        gunicorn.as_bytes(),
        Owner::Root,
        0o600,
    )
}

fn manage(layout: &Layout, tools: &Tools) -> std::process::Command {
    let mut cmd = command(
        &tools.venv_bin("keystone-manage").to_string_lossy(),
        ["--config-file"],
    );
    cmd.arg(dir(layout).join("keystone.conf"));
    cmd
}

fn bootstrap(layout: &Layout, tools: &Tools) -> Result<()> {
    let password = std::fs::read_to_string(secrets_dir(layout).join("admin-password"))
        .map_err(file_error(secrets_dir(layout).join("admin-password")))?;
    let url = format!("{}/v3", auth_url());
    let mut cmd = manage(layout, tools);
    cmd.arg("bootstrap").env("OS_BOOTSTRAP_PASSWORD", password);
    for interface in ["admin", "internal", "public"] {
        cmd.arg(format!("--bootstrap-{interface}-url")).arg(&url);
    }
    cmd.args(["--bootstrap-region-id", REGION]);
    run(&mut cmd)
}

fn seed(layout: &Layout, tools: &Tools, command_words: &[&str], args: &[&str]) -> Result<String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("setup/keystone-seed.py");
    let mut cmd = command("ip", ["netns", "exec", &layout.netns(Host::Api)]);
    cmd.arg(tools.venv_bin("python3"))
        .args(["-W", "ignore"])
        .arg(script);
    cmd.args(command_words).arg(format!("{}/v3", auth_url()));
    cmd.arg(tls::ca_file(layout))
        .arg(secrets_dir(layout))
        .args(args);
    output(&mut cmd)
}

fn answers(layout: &Layout) -> bool {
    let mut curl = command(
        "ip",
        ["netns", "exec", &layout.netns(Host::Api), "curl", "-sS"],
    );
    curl.args(["--fail", "--max-time", "2", "-o", "/dev/null", "--cacert"]);
    curl.arg(tls::ca_file(layout))
        .arg(format!("{}/v3", auth_url()));
    run(&mut curl).is_ok()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
