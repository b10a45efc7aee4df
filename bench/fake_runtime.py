#!/usr/bin/env python3
"""A tiny local fake of the Lambda Runtime API, to time a guardrail function binary.

For each run it resets the moto server, seeds the account (boto3) so the event fires, starts
the binary under `/usr/bin/time -v` with AWS_LAMBDA_RUNTIME_API pointing here, serves one cold
event and one warm event at GET /2018-06-01/runtime/invocation/next, records the responses,
then holds the third GET, reads the process's peak RSS and kills it.

Measured per run (milliseconds from spawning the process):
  init       first GET /next (process start, logging, SDK config, wiring, runtime client)
  first      the response to the first event posted (init + first event handled)
  warm       handling time of the second event (GET /next answered -> response posted)
CPU time used (sum of the threads' /proc schedstat) at init and after both events, and peak
RSS (VmHWM from /proc, and /usr/bin/time's "Maximum resident set size").

With --memory MB the binary runs inside `lambda-sandbox MB` (the CPU share and memory Lambda
gives a function of that size; LAMBDA_SANDBOX names the tool, default
../shared/tools/lambda-sandbox beside the checkout) and AWS_LAMBDA_FUNCTION_MEMORY_SIZE says MB.

Usage: fake_runtime.py --binary PATH --function ebs|iam|region|tamper|exposure|sweep --moto-port N
       [--runs 10] [--memory MB]
Needs boto3 (the project's .venv has it). Prints one JSON object: runs and medians.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "123456789012"
PREFIX = "/2018-06-01/runtime"


class Runtime:
    """State of one run, shared with the HTTP handler threads."""

    def __init__(self, events):
        self.events = list(events)
        self.lock = threading.Lock()
        self.served = 0
        self.t_get = []  # time of each GET /next
        self.t_answered = []  # time each event was handed out
        self.t_done = []  # time each response/error was posted
        self.bodies = []
        self.errors = []
        self.pid = None  # the binary (child of /usr/bin/time), once known
        self.cpu_at_get = []  # CPU ms the process had used at each GET /next
        self.held = threading.Event()  # a GET /next beyond the events: the run is over
        self.release = threading.Event()


RUN = None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _reply(self, code, body=b"", headers=None):
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        now = time.monotonic()
        if not self.path.startswith(PREFIX + "/invocation/next"):
            return self._reply(404)
        run = RUN
        with run.lock:
            run.cpu_at_get.append(cpu_ms(run.pid))
            run.t_get.append(now)
            i = run.served
            run.served += 1
        if i >= len(run.events):
            run.held.set()
            run.release.wait(60)
            return self._reply(500)
        body = json.dumps(run.events[i]).encode()
        run.t_answered.append(time.monotonic())
        self._reply(
            200,
            body,
            {
                "Content-Type": "application/json",
                "Lambda-Runtime-Aws-Request-Id": f"req-{i}-{uuid.uuid4()}",
                "Lambda-Runtime-Deadline-Ms": str(int(time.time() * 1000) + 30_000),
                "Lambda-Runtime-Invoked-Function-Arn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:bench",
                "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000",
            },
        )

    def do_POST(self):
        now = time.monotonic()
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        run = RUN
        if self.path.endswith("/response"):
            run.t_done.append(now)
            run.bodies.append(body.decode(errors="replace"))
        elif self.path.endswith("/error"):
            run.t_done.append(now)
            run.errors.append(body.decode(errors="replace"))
        else:  # init error
            run.errors.append(body.decode(errors="replace"))
            run.held.set()
        self._reply(202, b"{}", {"Content-Type": "application/json"})


def event(path, replacements, event_id):
    text = (ROOT / "events" / path).read_text()
    for a, b in replacements:
        text = text.replace(a, b)
    e = json.loads(text)
    e["detail"]["eventID"] = event_id
    return e


def client(service, region, endpoint):
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def seed(function, endpoint):
    """Reset moto, create the plumbing and the state the two events are about."""
    urllib.request.urlopen(urllib.request.Request(endpoint + "/moto-api/reset", method="POST")).read()
    home = "us-east-1" if function == "iam" else "ap-northeast-2"
    topic = client("sns", home, endpoint).create_topic(Name="guardrail-alerts")["TopicArn"]
    client("dynamodb", home, endpoint).create_table(
        TableName="guardrail-ledger",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    )
    env = {
        "AWS_REGION": home,
        "GUARDRAIL_TOPIC_ARN": topic,
        "GUARDRAIL_LEDGER_TABLE": "guardrail-ledger",
    }
    if function == "ebs":
        ec2 = client("ec2", home, endpoint)
        vols = [
            ec2.create_volume(AvailabilityZone="ap-northeast-2a", Size=8, Encrypted=False)["VolumeId"]
            for _ in range(2)
        ]
        events = [
            event("ebs/create-volume-unencrypted.json", [("vol-0aaaaaaaaaaaaaaa1", v)], f"bench-{v}")
            for v in vols
        ]
    elif function == "iam":
        iam = client("iam", home, endpoint)
        for user in ["bob", "alice"]:
            iam.create_user(UserName=user)
            iam.attach_user_policy(UserName=user, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
        events = [
            event("iam/attach-user-policy-admin.json", [('"userName": "bob"', f'"userName": "{u}"')], f"bench-{u}")
            for u in ["bob", "alice"]
        ]
    elif function == "tamper":
        # Judged from the call alone: one ledger claim, one alert, no re-read.
        events = [
            event("tamper/stop-logging.json", [], f"bench-stop-logging-{n}") for n in range(2)
        ]
    elif function == "exposure":
        # Two groups with SSH open to the world: each event re-reads its group (two Describe
        # calls), alerts once (alert mode, the default), nothing revoked.
        ec2 = client("ec2", home, endpoint)
        events = []
        for n in range(2):
            g = ec2.create_security_group(GroupName=f"bench-{n}", Description="bench")["GroupId"]
            r = ec2.authorize_security_group_ingress(GroupId=g, IpPermissions=[
                {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
            rule = r["SecurityGroupRules"][0]["SecurityGroupRuleId"]
            events.append(event("exposure/authorize-ingress-ssh-world.json",
                                [("sg-0a1b2c3d4e5f60718", g), ("sgr-0aaaaaaaaaaaaaaa1", rule)], f"bench-{g}"))
    elif function == "sweep":
        # A small account with something for every sweep rule family to say: users with and
        # without console passwords, an admin role, a customer policy, unencrypted volumes.
        iam = client("iam", home, endpoint)
        doc = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
        trust = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
        policy = iam.create_policy(PolicyName="bench-admin", PolicyDocument=doc)["Policy"]["Arn"]
        for n in range(20):
            iam.create_user(UserName=f"user{n}")
            if n % 4 == 0:
                iam.create_login_profile(UserName=f"user{n}", Password="Bench-Passw0rd!")
            if n % 5 == 0:
                iam.attach_user_policy(UserName=f"user{n}", PolicyArn=policy)
        for n in range(20):
            iam.create_role(RoleName=f"role{n}", AssumeRolePolicyDocument=trust)
            iam.attach_role_policy(RoleName=f"role{n}", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
        ec2 = client("ec2", home, endpoint)
        for _ in range(10):
            ec2.create_volume(AvailabilityZone="ap-northeast-2a", Size=8, Encrypted=False)
        events = [event("schedule/sweep.json", [], f"bench-sweep-{n}") for n in range(2)]
        env["GUARDRAIL_SWEEP_REGIONS"] = home
    else:
        ec2 = client("ec2", "sa-east-1", endpoint)
        events = []
        for n in range(2):
            ids = [
                i["InstanceId"]
                for i in ec2.run_instances(ImageId="ami-12c6146b", MinCount=2, MaxCount=2, InstanceType="t3.micro")[
                    "Instances"
                ]
            ]
            events.append(
                event(
                    "region/run-instances-disallowed-region.json",
                    [("i-0eeeeeeeeeeeeeee5", ids[0]), ("i-0eeeeeeeeeeeeeee6", ids[1])],
                    f"bench-run-{n}-{ids[0]}",
                )
            )
        env["GUARDRAIL_ALLOWED_REGIONS"] = "ap-northeast-2"
    return events, env


def child_pid(parent):
    try:
        kids = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        return int(kids[0]) if kids else None
    except OSError:
        return None


def binary_pid(parent, binary):
    """The process running `binary` below `parent` (/usr/bin/time, and the sandbox's shell)."""
    pid = child_pid(parent)
    for _ in range(3):
        if pid is None:
            return None
        try:
            if os.path.realpath(f"/proc/{pid}/exe") == os.path.realpath(binary):
                return pid
        except OSError:
            return None
        pid = child_pid(pid)
    return None


def sandbox():
    tool = os.environ.get("LAMBDA_SANDBOX") or str(ROOT.parent / "shared" / "tools" / "lambda-sandbox")
    if not os.access(tool, os.X_OK):
        raise SystemExit(f"--memory needs lambda-sandbox: {tool} is not there (set LAMBDA_SANDBOX)")
    return tool


def cpu_ms(pid):
    """CPU time used so far by every live thread of `pid` (schedstat: nanoseconds on CPU)."""
    if pid is None:
        return None
    total = 0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            total += int((task / "schedstat").read_text().split()[0])
    except OSError:
        pass
    return round(total / 1e6, 2)


def vm_hwm_kb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


def one_run(args, port, endpoint):
    global RUN
    events, extra = seed(args.function, endpoint)
    RUN = Runtime(events)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{port}",
        "AWS_LAMBDA_FUNCTION_NAME": f"guardrail-{args.function}",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(args.memory or 128),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/bench",
        "AWS_LAMBDA_LOG_STREAM_NAME": "bench",
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
        "GUARDRAIL_DRY_RUN": "false",
        "GUARDRAIL_DEFAULT_MODE": "remediate",
        "GUARDRAIL_ACCOUNT_ID": ACCOUNT,
        "RUST_LOG": "info",
        **extra,
    }
    timing = tempfile.NamedTemporaryFile(prefix="time-", suffix=".txt", delete=False).name
    log = open(args.log, "ab") if args.log else subprocess.DEVNULL
    t0 = time.monotonic()
    command = [args.binary]
    if args.memory:
        command = [sandbox(), str(args.memory), args.binary]
    proc = subprocess.Popen(
        ["/usr/bin/time", "-v", "-o", timing, *command], env=env, stdout=log, stderr=log
    )
    deadline = time.monotonic() + 5
    while RUN.pid is None and time.monotonic() < deadline:
        RUN.pid = binary_pid(proc.pid, args.binary)
    ok = RUN.held.wait(args.timeout)
    pid = RUN.pid or binary_pid(proc.pid, args.binary)
    hwm = vm_hwm_kb(pid) if pid else None
    if pid:
        os.kill(pid, signal.SIGKILL)
    RUN.release.set()
    proc.wait(10)
    max_rss = None
    for line in Path(timing).read_text().splitlines():
        if "Maximum resident set size" in line:
            max_rss = int(line.split(":")[1])
    os.unlink(timing)
    if not ok or RUN.errors or len(RUN.t_done) < len(events):
        raise SystemExit(f"run failed: held={ok} errors={RUN.errors} bodies={RUN.bodies}")
    findings = [len(json.loads(b).get("findings", [])) for b in RUN.bodies]
    ms = lambda t: round((t - t0) * 1000, 2)
    return {
        "init_ms": ms(RUN.t_get[0]),
        "first_response_ms": ms(RUN.t_done[0]),
        "first_event_ms": round((RUN.t_done[0] - RUN.t_answered[0]) * 1000, 2),
        "warm_event_ms": round((RUN.t_done[1] - RUN.t_answered[1]) * 1000, 2),
        "init_cpu_ms": RUN.cpu_at_get[0],
        "total_cpu_ms": RUN.cpu_at_get[-1],
        "vm_hwm_kb": hwm,
        "max_rss_kb": max_rss,
        "findings": findings,
    }


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", required=True)
    p.add_argument("--function", choices=["ebs", "iam", "region", "tamper", "exposure", "sweep"], required=True)
    p.add_argument("--memory", type=int, help="run inside lambda-sandbox MB")
    p.add_argument("--moto-port", type=int, required=True)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("--log", help="append the binary's output here")
    args = p.parse_args()
    class Server(ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            pass  # the killed process's connection resets: expected

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{args.moto_port}"
    runs = [one_run(args, server.server_address[1], endpoint) for _ in range(args.runs)]
    server.shutdown()
    keys = [
        "init_ms",
        "first_response_ms",
        "first_event_ms",
        "warm_event_ms",
        "init_cpu_ms",
        "total_cpu_ms",
        "vm_hwm_kb",
        "max_rss_kb",
    ]
    # A run whose process id was not known at the first GET has no CPU figure: left out.
    medians = {
        k: statistics.median(v) if (v := [r[k] for r in runs if r[k] is not None]) else None
        for k in keys
    }
    print(json.dumps({"function": args.function, "memory_mb": args.memory, "binary": args.binary,
                      "median": medians, "runs": runs}))


if __name__ == "__main__":
    main()
