//! A small fault-injecting HTTP/1.1 proxy between the AWS SDK and `moto`.
//!
//! The SDK's `endpoint_url` points at the proxy; the proxy forwards each request to the
//! emulator, or, for requests of a chosen AWS action, answers with a fault instead: the
//! service's throttling error, an access-denied error, an HTTP 500 (moto's HTML page), a slow
//! response, or a dropped connection, for the first N matching requests or always.
//!
//! The action is read the way the services carry it: the `X-Amz-Target` header for the JSON
//! protocols (DynamoDB, SQS: `DynamoDB_20120810.PutItem` → `PutItem`), the `Action=` form field
//! of the body for the query protocols (EC2, SNS, IAM). The service, which decides the shape of
//! an error body, comes from the SigV4 credential scope of the `Authorization` header.
//!
//! Plain `std` threads, one per connection, one request per connection (`Connection: close`):
//! simple, independent of the test's async runtime, and every request is seen and counted.

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sns::config::Credentials;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What to do instead of (or before) forwarding a matching request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 400 with the service's throttling error (`RequestLimitExceeded` for EC2,
    /// `Throttling` for the query protocols, `ThrottlingException` for the JSON ones).
    Throttle,
    /// HTTP 500 with an HTML body, as moto answers an unimplemented call.
    ServerError,
    /// HTTP 403 (400 for JSON protocols) with the service's access-denied error
    /// (`UnauthorizedOperation` for EC2, `AccessDenied` / `AccessDeniedException` otherwise).
    AccessDenied,
    /// Wait, then forward.
    Delay(Duration),
    /// Read the request, then close the connection without answering.
    Drop,
}

/// How many matching requests get the fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Times {
    First(usize),
    Always,
}

#[derive(Debug)]
struct Rule {
    action: String,
    fault: Fault,
    times: Times,
    matched: usize,
}

#[derive(Debug, Default)]
struct State {
    rules: Vec<Rule>,
    /// Requests seen per action (faulted or not).
    seen: BTreeMap<String, usize>,
    /// Faults injected per action.
    injected: BTreeMap<String, usize>,
}

/// A running proxy; stops accepting on drop.
pub struct FaultProxy {
    pub port: u16,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

impl FaultProxy {
    /// Listen on 127.0.0.1:0 and forward to 127.0.0.1:`upstream_port`.
    pub fn start(upstream_port: u16) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let port = listener.local_addr().expect("proxy addr").port();
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (st, sp) = (state.clone(), stop.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if sp.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let st = st.clone();
                std::thread::spawn(move || {
                    let _ = serve(conn, upstream_port, &st);
                });
            }
        });
        FaultProxy { port, state, stop }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Inject `fault` into requests of `action` (e.g. `DescribeVolumes`, `Publish`, `PutItem`).
    pub fn inject(&self, action: &str, fault: Fault, times: Times) {
        self.lock().rules.push(Rule {
            action: action.to_string(),
            fault,
            times,
            matched: 0,
        });
    }

    /// Remove every rule: from now on everything is forwarded.
    pub fn clear(&self) {
        self.lock().rules.clear();
    }

    /// Requests of `action` seen so far (faulted or forwarded).
    pub fn seen(&self, action: &str) -> usize {
        self.lock().seen.get(action).copied().unwrap_or(0)
    }

    /// Faults injected into requests of `action` so far.
    pub fn injected(&self, action: &str) -> usize {
        self.lock().injected.get(action).copied().unwrap_or(0)
    }

    /// Every request seen, per action.
    pub fn seen_all(&self) -> BTreeMap<String, usize> {
        self.lock().seen.clone()
    }

    /// SDK configuration pointing at the proxy, with the SDK's default retry and timeout
    /// configuration (standard retry mode: 3 attempts, exponential backoff with jitter).
    pub async fn sdk(&self, region: &str) -> SdkConfig {
        self.sdk_with(region, None, None).await
    }

    /// As [`FaultProxy::sdk`], with an explicit retry and/or timeout configuration.
    pub async fn sdk_with(
        &self,
        region: &str,
        retry: Option<RetryConfig>,
        timeout: Option<TimeoutConfig>,
    ) -> SdkConfig {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(region.to_string()))
            .endpoint_url(self.endpoint())
            .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"));
        if let Some(r) = retry {
            loader = loader.retry_config(r);
        }
        if let Some(t) = timeout {
            loader = loader.timeout_config(t);
        }
        loader.load().await
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// One parsed request.
struct Request {
    /// Request line and headers except framing (`Content-Length`, `Transfer-Encoding`) and
    /// `Connection`, which the proxy sets itself.
    head: Vec<String>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The AWS action: `X-Amz-Target` (JSON protocols) or the `Action` form field (query).
    fn action(&self) -> String {
        if let Some(target) = self.header("x-amz-target") {
            return target.rsplit('.').next().unwrap_or(target).to_string();
        }
        String::from_utf8_lossy(&self.body)
            .split('&')
            .find_map(|kv| kv.strip_prefix("Action="))
            .unwrap_or("unknown")
            .to_string()
    }

    /// The signing name from the SigV4 credential scope (`.../ec2/aws4_request`).
    fn service(&self) -> String {
        self.header("authorization")
            .and_then(|a| a.split("Credential=").nth(1))
            .and_then(|c| c.split(',').next())
            .and_then(|scope| scope.split('/').nth(3))
            .unwrap_or("unknown")
            .to_string()
    }

    fn is_json(&self) -> bool {
        self.header("x-amz-target").is_some()
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> std::io::Result<Option<Request>> {
    let mut head = Vec::new();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let line = line.trim_end_matches(['\r', '\n']).to_string();
        if line.is_empty() {
            break;
        }
        if head.is_empty() {
            head.push(line);
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
        head.push(line);
    }
    let mut req = Request {
        head,
        headers,
        body: Vec::new(),
    };
    if req
        .header("expect")
        .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
    {
        reader
            .get_mut()
            .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }
    if req
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let n = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
                .unwrap_or(0);
            let mut chunk = vec![0; n + 2];
            reader.read_exact(&mut chunk)?;
            if n == 0 {
                break;
            }
            req.body.extend_from_slice(&chunk[..n]);
        }
    } else if let Some(len) = req.header("content-length").and_then(|v| v.parse().ok()) {
        let mut body = vec![0; len];
        reader.read_exact(&mut body)?;
        req.body = body;
    }
    let framing = [
        "content-length",
        "transfer-encoding",
        "connection",
        "expect",
    ];
    req.head.retain(|l| {
        !l.split_once(':')
            .is_some_and(|(k, _)| framing.contains(&k.trim().to_ascii_lowercase().as_str()))
    });
    Ok(Some(req))
}

fn serve(client: TcpStream, upstream_port: u16, state: &Mutex<State>) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let Some(req) = read_request(&mut reader)? else {
        return Ok(());
    };
    let mut client = client;
    let action = req.action();
    let fault = {
        let mut st = state.lock().unwrap_or_else(|p| p.into_inner());
        *st.seen.entry(action.clone()).or_default() += 1;
        let fault = st.rules.iter_mut().find_map(|r| {
            let active = match r.times {
                Times::Always => true,
                Times::First(n) => r.matched < n,
            };
            (r.action == action && active).then(|| {
                r.matched += 1;
                r.fault.clone()
            })
        });
        if fault.is_some() {
            *st.injected.entry(action.clone()).or_default() += 1;
        }
        fault
    };
    match fault {
        None => forward(&req, &mut client, upstream_port),
        Some(Fault::Delay(d)) => {
            std::thread::sleep(d);
            forward(&req, &mut client, upstream_port)
        }
        Some(Fault::Drop) => client.shutdown(Shutdown::Both),
        Some(Fault::ServerError) => respond(
            &mut client,
            "500 INTERNAL SERVER ERROR",
            "text/html; charset=utf-8",
            "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n\
             <h1>Internal Server Error</h1>\n<p>The server encountered an internal error.</p>\n",
        ),
        Some(Fault::Throttle) => {
            let (status, ctype, body) = error_body(&req, ErrorShape::Throttle);
            respond(&mut client, status, ctype, &body)
        }
        Some(Fault::AccessDenied) => {
            let (status, ctype, body) = error_body(&req, ErrorShape::Denied);
            respond(&mut client, status, ctype, &body)
        }
    }
}

enum ErrorShape {
    Throttle,
    Denied,
}

/// The service's own error shape for a throttle or a denial.
fn error_body(req: &Request, shape: ErrorShape) -> (&'static str, &'static str, String) {
    let request_id = "00000000-fa17-4a11-8000-000000000000";
    if req.is_json() {
        let (ty, msg) = match shape {
            ErrorShape::Throttle => ("ThrottlingException", "Rate exceeded"),
            ErrorShape::Denied => ("AccessDeniedException", "User is not authorized"),
        };
        return (
            "400 Bad Request",
            "application/x-amz-json-1.0",
            format!(r#"{{"__type":"{ty}","message":"{msg}"}}"#),
        );
    }
    if req.service() == "ec2" {
        let (status, code, msg) = match shape {
            ErrorShape::Throttle => (
                "400 Bad Request",
                "RequestLimitExceeded",
                "Request limit exceeded.",
            ),
            ErrorShape::Denied => (
                "403 Forbidden",
                "UnauthorizedOperation",
                "You are not authorized to perform this operation.",
            ),
        };
        return (
            status,
            "text/xml;charset=UTF-8",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{code}</Code>\
                 <Message>{msg}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>"
            ),
        );
    }
    let (status, code, msg) = match shape {
        ErrorShape::Throttle => ("400 Bad Request", "Throttling", "Rate exceeded"),
        ErrorShape::Denied => (
            "403 Forbidden",
            "AccessDenied",
            "User is not authorized to perform this action",
        ),
    };
    (
        status,
        "text/xml",
        format!(
            "<ErrorResponse xmlns=\"https://{}.amazonaws.com/doc/\"><Error><Type>Sender</Type>\
             <Code>{code}</Code><Message>{msg}</Message></Error><RequestId>{request_id}</RequestId>\
             </ErrorResponse>",
            req.service()
        ),
    )
}

fn respond(client: &mut TcpStream, status: &str, ctype: &str, body: &str) -> std::io::Result<()> {
    write!(
        client,
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    client.flush()?;
    client.shutdown(Shutdown::Both)
}

fn forward(req: &Request, client: &mut TcpStream, upstream_port: u16) -> std::io::Result<()> {
    let mut up = TcpStream::connect(("127.0.0.1", upstream_port))?;
    let mut out = Vec::with_capacity(req.body.len() + 1024);
    for line in &req.head {
        out.extend_from_slice(line.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(
        format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            req.body.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&req.body);
    up.write_all(&out)?;
    up.flush()?;
    let mut response = Vec::new();
    up.read_to_end(&mut response)?;
    // Re-frame the head: the proxy closes the client connection after each response.
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 4)
        .unwrap_or(response.len());
    let head = String::from_utf8_lossy(&response[..split]).to_string();
    let mut new_head = String::new();
    for line in head.split("\r\n").filter(|l| !l.is_empty()) {
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("connection:") || lower.starts_with("keep-alive:") {
            continue;
        }
        new_head.push_str(line);
        new_head.push_str("\r\n");
    }
    new_head.push_str("Connection: close\r\n\r\n");
    client.write_all(new_head.as_bytes())?;
    client.write_all(&response[split..])?;
    client.flush()?;
    client.shutdown(Shutdown::Both)
}
