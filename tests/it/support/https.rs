//! A loopback HTTPS server for pull mode's HTTPS source. [`Ca`] is a throwaway certificate
//! authority made with `openssl` in a temp dir it owns, which issues a certificate for
//! `127.0.0.1` and `localhost`; [`HttpsServer`] is python3's `http.server` wrapped in `ssl`
//! with that certificate, serving a directory, and answering `/redirect/PATH` with a redirect
//! to a URL the test gives (a plain `http://` one, to see that a client refuses to follow it).
//! The server is a process of the test's own: started here, ended by its PID when dropped.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A certificate authority of the test's own: its key and certificate in `dir`.
pub(crate) struct Ca {
    dir: tempfile::TempDir,
}

impl Ca {
    /// A new authority, named `name` in its certificate.
    pub(crate) fn new(name: &str) -> Ca {
        let dir = tempfile::tempdir().unwrap();
        openssl(
            dir.path(),
            &[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
            ],
            &[
                "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj",
            ],
            &format!("/CN={name}"),
        );
        let ca = Ca { dir };
        ca.issue();
        ca
    }

    /// Its certificate (PEM), what a client trusts.
    pub(crate) fn pem(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// Makes `server.key` and `server.pem`, a certificate for `127.0.0.1` and `localhost`
    /// signed by this authority.
    fn issue(&self) {
        let dir = self.dir.path();
        openssl(
            dir,
            &[
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
            ],
            &["-keyout", "server.key", "-out", "server.csr", "-subj"],
            "/CN=localhost",
        );
        std::fs::write(
            dir.join("san.ext"),
            "subjectAltName = IP:127.0.0.1, DNS:localhost\n",
        )
        .unwrap();
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
            ],
            &[
                "-set_serial",
                "1",
                "-days",
                "2",
                "-out",
                "server.pem",
                "-extfile",
            ],
            "san.ext",
        );
    }
}

/// Runs `openssl FIRST... SECOND... LAST` in `dir`; panics, with its output, unless it
/// succeeds.
fn openssl(dir: &Path, first: &[&str], second: &[&str], last: &str) {
    let output = Command::new("openssl")
        .args(first)
        .args(second)
        .arg(last)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "openssl {first:?}: {output:?}");
}

/// The server: python3's `http.server` over TLS, on a free port it prints when listening.
const SERVER: &str = r#"
import http.server, ssl, sys
root, cert, key, redirect = sys.argv[1:5]
class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=root, **kwargs)
    def do_GET(self):
        if self.path.startswith("/redirect/"):
            self.send_response(302)
            self.send_header("Location", redirect + self.path[len("/redirect/"):])
            self.end_headers()
            return
        super().do_GET()
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
"#;

pub(crate) struct HttpsServer {
    pub port: u16,
    child: Child,
}

impl HttpsServer {
    /// Serves `root` on 127.0.0.1 with the certificate `ca` issued, redirecting
    /// `/redirect/PATH` to `redirect` followed by PATH.
    pub(crate) fn start(ca: &Ca, root: &Path, redirect: &str) -> HttpsServer {
        let mut child = Command::new("python3")
            .args(["-c", SERVER])
            .arg(root)
            .arg(ca.dir.path().join("server.pem"))
            .arg(ca.dir.path().join("server.key"))
            .arg(redirect)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = match line.trim().parse() {
            Ok(port) => port,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the HTTPS server did not start: {line:?}");
            }
        };
        HttpsServer { port, child }
    }

    /// `https://127.0.0.1:PORT/PATH`.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}/{}", self.port, path)
    }
}

impl Drop for HttpsServer {
    fn drop(&mut self) {
        // By its PID: the process this value started.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
