//! The database ops against real servers: PostgreSQL and MariaDB from Debian's packages,
//! installed into a copy of the Debian root (cached like the root itself,
//! `support/debian.rs`), started inside it by the test (by PID: `chroot` and `env` exec
//! the server, so the child is the server) and stopped by PID when it ends. Manifests are
//! applied through the chroot connector, twice (the second changes nothing), and the
//! result is read back with the servers' own clients, logging in with the passwords set;
//! then everything is removed (`present = false`), twice too. A role's and a user's name
//! and the password are hostile SQL and shell text.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::debian::Root;
use crate::support::kiln::Test;
use crate::support::need::{Need, require};
use crate::support::netns::NetworkNamespace;

/// A role name and a password that are SQL and shell code if quoted wrongly.
/// The packages of the Debian root the servers run in (and the example's firewall tool).
const SERVERS: &[&str] = &["postgresql", "mariadb-server", "nftables"];

const ROLE: &str = "app'o\\; $(x)";
const PASSWORD: &str = "p'a\"ss\\w;$(touch /pwned)";
const NEW_PASSWORD: &str = "n3w'\"\\Zebra42";
/// What strace would show of [`NEW_PASSWORD`] in any escaping.
const NEW_PASSWORD_CORE: &str = "Zebra42";

/// A server started inside the root, stopped (SIGTERM, then waited for) when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

fn server(root: &Root, userspec: &str, argv: &[&str]) -> Server {
    let child = Command::new("chroot")
        .arg(format!("--userspec={userspec}"))
        .arg(root.path())
        .args(["/usr/bin/env", "-i", "LC_ALL=C"])
        .args(argv)
        .current_dir("/")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chroot starts the server");
    Server(child)
}

/// Waits up to 60 s for `command` to succeed in the root.
fn wait_for(root: &Root, command: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !root.sh(command).status.success() {
        assert!(Instant::now() < deadline, "`{command}` never succeeded");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// PostgreSQL (peer authentication for `postgres`, passwords for every other role, on its
/// socket only) and MariaDB (its socket only), running.
fn start(root: &Root) -> [Server; 2] {
    let version = root.sh_ok("ls /usr/lib/postgresql").trim().to_owned();
    let etc = format!("/etc/postgresql/{version}/main");
    root.write(
        &format!("{etc}/pg_hba.conf"),
        b"local all postgres peer\nlocal all all scram-sha-256\n",
        0o644,
    );
    root.sh_ok(&format!("chown postgres:postgres {etc}/pg_hba.conf; mkdir -p /run/mysqld; chown mysql:mysql /run/mysqld"));
    let postgres = server(
        root,
        "postgres:postgres",
        &[
            &format!("/usr/lib/postgresql/{version}/bin/postgres"),
            "-D",
            &format!("/var/lib/postgresql/{version}/main"),
            "-c",
            &format!("config_file={etc}/postgresql.conf"),
            "-c",
            "listen_addresses=",
        ],
    );
    let mariadb = server(
        root,
        "0:0",
        &["/usr/sbin/mariadbd", "--user=mysql", "--skip-networking"],
    );
    wait_for(
        root,
        "cd / && echo 'SELECT 1' | runuser -u postgres -- psql -X >/dev/null 2>&1",
    );
    wait_for(root, "echo 'SELECT 1' | mysql >/dev/null 2>&1");
    [postgres, mariadb]
}

fn manifest() -> String {
    format!(
        r#"[[op]]
op = "postgresql.role"
role = {role}
password = "{{{{ pw }}}}"
createdb = true

[[op]]
op = "postgresql.database"
database = "appdb"
owner = {role}
encoding = "UTF8"
template = "template0"

[[op]]
op = "postgresql.privileges"
role = {role}
database = "appdb"
type = "schema"
objects = ["public"]
privileges = ["CREATE", "USAGE"]

[[op]]
op = "postgresql.privileges"
role = "PUBLIC"
type = "database"
objects = ["appdb"]
privileges = ["ALL"]
present = false

[[op]]
op = "mysql.database"
database = "shop"
encoding = "utf8mb4"
collation = "utf8mb4_unicode_ci"

[[op]]
op = "mysql.user"
user = {role}
password = "{{{{ pw }}}}"

[[op]]
op = "mysql.privileges"
user = {role}
privileges = ["shop.*:SELECT,INSERT", "*.*:PROCESS"]
"#,
        role = toml_string(ROLE)
    )
}

/// Everything [`manifest`] made, removed (the database first: the role owns it).
fn absent_manifest() -> String {
    let role = toml_string(ROLE);
    format!(
        "[[op]]\nop = \"postgresql.database\"\ndatabase = \"appdb\"\npresent = false\n\n\
         [[op]]\nop = \"postgresql.role\"\nrole = {role}\npresent = false\n\n\
         [[op]]\nop = \"mysql.privileges\"\nuser = {role}\nprivileges = [\"*.*:PROCESS\"]\npresent = false\n\n\
         [[op]]\nop = \"mysql.user\"\nuser = {role}\npresent = false\n\n\
         [[op]]\nop = \"mysql.database\"\ndatabase = \"shop\"\npresent = false\n"
    )
}

fn toml_string(value: &str) -> String {
    toml::Value::String(value.to_owned()).to_string()
}

/// A project applying [`manifest`] to the root through the chroot connector, the password
/// in a secrets file.
fn project(root: &Root, password: &str) -> Test {
    Test::new()
        .file(
            "inventory.toml",
            format!(
                "[hosts.db]\nconnector = \"chroot\"\naddress = \"{}\"\n",
                root.path().display()
            ),
        )
        .file("main.toml", manifest())
        .file("absent.toml", absent_manifest())
        .file("secrets.toml", format!("pw = {}\n", toml_string(password)))
}

fn apply(root: &Root, password: &str) -> serde_json::Value {
    project(root, password)
        .args([
            "apply",
            ".",
            "-y",
            "--format",
            "json",
            "--secrets-file",
            "secrets.toml",
        ])
        .run()
        .json()
}

/// Statuses of the report's ops, in order.
fn statuses(report: &serde_json::Value) -> Vec<String> {
    report["hosts"][0]["ops"]
        .as_array()
        .unwrap_or_else(|| panic!("no ops in {report}"))
        .iter()
        .map(|op| op["status"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// `sql`'s output in the database `database`, as `postgres`.
fn psql(root: &Root, database: &str, sql: &str) -> String {
    root.sh_ok(&format!(
        "cd / && printf '%s\\n' {} | runuser -u postgres -- psql -XAtq -d {database}",
        kiln::shell::quote(sql)
    ))
}

fn mysql(root: &Root, sql: &str) -> String {
    root.sh_ok(&format!(
        "printf '%s\\n' {} | mysql -NB",
        kiln::shell::quote(sql)
    ))
}

/// Whether the role and the MariaDB user log in with `password` (each client reads it from
/// the environment: this test's own processes).
fn logs_in(root: &Root, password: &str) -> [bool; 2] {
    let (role, password) = (kiln::shell::quote(ROLE), kiln::shell::quote(password));
    [
        root.sh(&format!("cd / && PGPASSWORD={password} psql -X -h /var/run/postgresql -U {role} -d appdb -c 'SELECT 1'"))
            .status
            .success(),
        root.sh(&format!("MYSQL_PWD={password} mysql -u {role} -e 'SELECT 1'"))
            .status
            .success(),
    ]
}

#[test]
fn roles_databases_and_grants_on_real_servers_converge() {
    require!(Need::DebianRoot, Need::Strace);
    let root = Root::with_packages(SERVERS);
    let _servers = start(&root);

    let first = apply(&root, PASSWORD);
    assert_eq!(statuses(&first), ["changed"; 7], "{first}");
    let literal = ROLE.replace('\'', "''");
    assert_eq!(
        psql(
            &root,
            "appdb",
            &format!(
                "SELECT rolcanlogin, rolcreatedb, rolsuper FROM pg_roles WHERE rolname = '{literal}'"
            )
        ),
        "t|t|f\n"
    );
    assert_eq!(
        psql(
            &root,
            "appdb",
            &format!(
                "SELECT pg_get_userbyid(datdba) = '{literal}', pg_encoding_to_char(encoding), has_database_privilege('{literal}', 'appdb', 'CONNECT'), has_database_privilege('{literal}', 'appdb', 'CREATE'), datacl::text LIKE '%=Tc/%' FROM pg_database WHERE datname = 'appdb'"
            )
        ),
        "t|UTF8|t|t|f\n",
        "the owner, the encoding, the owner's privileges, and PUBLIC's defaults revoked"
    );
    assert_eq!(
        psql(
            &root,
            "appdb",
            &format!(
                "SELECT string_agg(privilege_type, ',' ORDER BY privilege_type) FROM pg_namespace, aclexplode(nspacl) a WHERE nspname = 'public' AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = '{literal}')"
            )
        ),
        "CREATE,USAGE\n",
        "granted on the schema to the role itself"
    );
    assert_eq!(
        mysql(
            &root,
            "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'shop'"
        ),
        "utf8mb4\tutf8mb4_unicode_ci\n"
    );
    let user = ROLE.replace('\\', "\\\\").replace('\'', "''");
    let grants = mysql(&root, &format!("SHOW GRANTS FOR '{user}'@'localhost'"));
    assert!(
        grants.contains("GRANT PROCESS ON *.*")
            && grants.contains("GRANT SELECT, INSERT ON `shop`.*"),
        "{grants}"
    );
    assert_eq!(logs_in(&root, PASSWORD), [true, true]);
    assert!(!root.at("/pwned").exists(), "the password ran as code");

    let second = apply(&root, PASSWORD);
    assert_eq!(statuses(&second), ["ok"; 7], "{second}");

    // A new password: the script that sets it, traced, never passes it to a process, as an
    // argument or in the environment.
    let script = project(&root, NEW_PASSWORD)
        .args(["emit", ".", "--secrets-file", "secrets.toml"])
        .run();
    assert!(
        script.stdout.contains(NEW_PASSWORD_CORE),
        "the script sets it"
    );
    let trace = trace_script(&root, &script.stdout);
    assert!(
        trace.contains("[\"psql\"") && trace.contains("[\"mysql\""),
        "the trace saw the clients:\n{trace}"
    );
    assert!(
        !trace.contains(NEW_PASSWORD_CORE),
        "the password is in an argument or the environment:\n{trace}"
    );
    assert_eq!(logs_in(&root, NEW_PASSWORD), [true, true]);
    assert_eq!(logs_in(&root, PASSWORD), [false, false]);
    assert_eq!(statuses(&apply(&root, NEW_PASSWORD)), ["ok"; 7]);

    // Absent: dropped, then left alone.
    let remove = || {
        project(&root, NEW_PASSWORD)
            .args([
                "apply",
                "absent.toml",
                "-i",
                "inventory.toml",
                "-y",
                "--format",
                "json",
            ])
            .run()
            .json()
    };
    assert_eq!(statuses(&remove()), ["changed"; 5]);
    assert_eq!(statuses(&remove()), ["ok"; 5]);
    assert_eq!(
        psql(
            &root,
            "postgres",
            &format!(
                "SELECT (SELECT count(*) FROM pg_roles WHERE rolname = '{literal}') + (SELECT count(*) FROM pg_database WHERE datname = 'appdb')"
            )
        ),
        "0\n"
    );
    assert_eq!(
        mysql(
            &root,
            &format!(
                "SELECT (SELECT COUNT(*) FROM mysql.user WHERE User = '{user}') + (SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'shop')"
            )
        ),
        "0\n"
    );
}

/// Runs `script` in the root under `strace -f`, every program's arguments and environment
/// recorded (`-v`, whole strings); the trace.
fn trace_script(root: &Root, script: &str) -> String {
    root.write("/kiln-test.sh", script.as_bytes(), 0o700);
    let trace = tempfile::NamedTempFile::new().unwrap();
    let status = Command::new("strace")
        .args(["-f", "-qq", "-v", "-s", "65536", "-e", "trace=execve", "-o"])
        .arg(trace.path())
        .arg("chroot")
        .arg(root.path())
        .args([
            "/usr/bin/env",
            "-i",
            "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
            "LC_ALL=C",
            "/bin/sh",
            "/kiln-test.sh",
        ])
        .current_dir("/")
        .stdout(Stdio::null())
        .status()
        .expect("strace runs");
    assert!(status.success(), "the script failed under strace");
    std::fs::read_to_string(trace.path()).unwrap()
}

/// `examples/database-host` planned (nothing changes), then applied to the root
/// (`@chroot/…`) with its password from a secrets file: the packages are there already, the
/// roles, the database, the grants and the firewall are made; a table made since is granted
/// by the next apply (from the KDL spelling) alone, and a third changes nothing.
/// `reporting` reads the table and may not write it; without `CONNECT` revoked from
/// `PUBLIC`, any role could connect. kiln runs in a network namespace of the test's own,
/// where the example's ruleset is loaded (never into this machine's firewall).
#[test]
fn database_host_example_converges() {
    require!(Need::DebianRoot, Need::UtilLinux, Need::Nftables);
    let root = Root::with_packages(SERVERS);
    let _servers = start(&root);
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/database-host");
    let secrets = tempfile::NamedTempFile::with_suffix(".toml").unwrap();
    std::fs::write(secrets.path(), "app_password = \"sh0p-s3cret\"\n").unwrap();
    let target = format!("@chroot{}", root.path().display());
    let network = NetworkNamespace::new();
    let apply = |spelling: &str| {
        let output = Test::new()
            .in_network(&network)
            .current_dir(&example)
            .args([
                "apply",
                spelling,
                "-i",
                &target,
                "-y",
                "--format",
                "json",
                "--secrets-file",
            ])
            .arg(secrets.path().display().to_string())
            .run();
        statuses(&output.json())
    };
    // The plan says what would change, with each op's diff (a role with a password hides
    // it; grants in the database yet to be made depend on it), and changes nothing.
    let plan = Test::new()
        .in_network(&network)
        .current_dir(&example)
        .args(["plan", "main.toml", "-i", &target, "--secrets-file"])
        .arg(secrets.path().display().to_string())
        .run();
    plan.assert_status(0);
    for said in [
        "create or alter database shop",
        "+ database owner=shop encoding=UTF8",
        "grant CONNECT to reporting",
        "depends on an earlier change: psql: error:",
    ] {
        assert!(
            plan.stdout.contains(said),
            "the plan says `{said}`:\n{}",
            plan.stdout
        );
    }
    assert!(!plan.stdout.contains("sh0p-s3cret"), "{}", plan.stdout);
    assert_eq!(
        psql(
            &root,
            "postgres",
            "SELECT count(*) FROM pg_database WHERE datname = 'shop'"
        ),
        "0\n"
    );
    assert_eq!(
        apply("main.toml"),
        [
            "ok", "changed", "changed", "changed", "changed", "changed", "changed", "ok", "changed"
        ]
    );
    let loaded = Command::new("nsenter")
        .args([
            "-t",
            &network.pid().to_string(),
            "-n",
            "nft",
            "list",
            "ruleset",
        ])
        .output()
        .unwrap();
    let loaded = String::from_utf8_lossy(&loaded.stdout);
    for rule in [
        "policy drop;",
        "tcp dport 22 accept",
        "ip saddr 10.0.10.0/24 tcp dport 5432 accept",
    ] {
        assert!(loaded.contains(rule), "`{rule}` not loaded:\n{loaded}");
    }
    let written = std::fs::read_to_string(root.path().join("etc/nftables.conf")).unwrap();
    assert!(
        written.contains("PostgreSQL from 10.0.10.0/24 only"),
        "{written}"
    );
    let shop = |sql: &str| {
        root.sh(&format!(
            "cd / && printf '%s\\n' {} | PGPASSWORD=sh0p-s3cret psql -XAtq -v ON_ERROR_STOP=1 -h /var/run/postgresql -U shop -d shop",
            kiln::shell::quote(sql)
        ))
    };
    assert!(
        shop("CREATE TABLE orders (id int); INSERT INTO orders VALUES (7);")
            .status
            .success()
    );
    assert_eq!(
        apply("main.kdl"),
        ["ok", "ok", "ok", "ok", "ok", "ok", "ok", "changed", "ok"],
        "only the new table's grant"
    );
    assert_eq!(apply("main.toml"), ["ok"; 9]);
    let reporting = psql(
        &root,
        "shop",
        "SELECT has_table_privilege('reporting', 'public.orders', 'SELECT'), has_table_privilege('reporting', 'public.orders', 'INSERT'), has_database_privilege('public', 'shop', 'CONNECT')",
    );
    assert_eq!(reporting, "t|f|f\n");
}
