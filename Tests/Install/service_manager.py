#!/usr/bin/env python3
"""The part of systemd FireFly's installed units rely on, for hosts where systemd is not PID 1
(containers, this test machine): each `.socket` unit's listening socket is made once and kept
across restarts (socket activation: a restart refuses no connection), each `.service` runs its own
`ExecStartPre=`/`ExecStart=` lines as its `User=`, with `LoadCredential=`/`SetCredential=` copied
into a private credentials folder at every start (as systemd does), `RuntimeDirectory=`, the
notify protocol (`Type=notify` waits for READY=1), `ExecReload=` with `$MAINPID`, and `KillSignal=`
with `TimeoutStopSec=` on stop.

Usage:
  service_manager.py serve RUNDIR UNIT_FILE...      (runs until `stop`; logs to RUNDIR/<unit>.log)
  service_manager.py control RUNDIR start|restart|reload|stop|pid SERVICE
  service_manager.py control RUNDIR shutdown
"""
import grp
import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time


def parse_unit(path):
    sections, current = {}, None
    for raw in open(path, encoding="utf-8"):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def first(section, key, default=None):
    values = section.get(key)
    return values[-1] if values else default


def seconds(text):
    text = text.strip()
    return float(text[:-1]) if text.endswith("s") else float(text)


class Service:
    def __init__(self, rundir, unit_path, socket_path):
        self.name = os.path.basename(unit_path).removesuffix(".service")
        self.rundir = rundir
        self.unit = parse_unit(unit_path)["Service"]
        self.user = first(self.unit, "User", "root")
        self.process = None
        self.listener = None
        if socket_path:
            spec = parse_unit(socket_path)["Socket"]
            path = first(spec, "ListenStream")
            os.makedirs(os.path.dirname(path), mode=int(first(spec, "DirectoryMode", "0755"), 8), exist_ok=True)
            if os.path.exists(path):
                os.unlink(path)
            self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.listener.bind(path)
            self.listener.listen(int(first(spec, "Backlog", "128")))
            os.chmod(path, int(first(spec, "SocketMode", "0666"), 8))
            os.chown(path, pwd.getpwnam(first(spec, "SocketUser", "root")).pw_uid, grp.getgrnam(first(spec, "SocketGroup", "root")).gr_gid)

    def account(self):
        entry = pwd.getpwnam(self.user)
        group = first(self.unit, "Group")
        return entry.pw_uid, grp.getgrnam(group).gr_gid if group else entry.pw_gid

    def credentials(self):
        """Copies LoadCredential= sources (else SetCredential= values) into a fresh private folder."""
        uid, gid = self.account()
        folder = os.path.join(self.rundir, "credentials", self.name)
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder, mode=0o700)
        values = {}
        for entry in self.unit.get("SetCredential", []):
            name, _, value = entry.partition(":")
            values[name] = value.encode()
        for entry in self.unit.get("LoadCredential", []):
            name, _, source = entry.partition(":")
            if os.path.isdir(source):
                # A folder: every regular file in it, named ID_FILE (systemd.exec, LoadCredential=).
                for root, _, files in os.walk(source):
                    for file in files:
                        path = os.path.join(root, file)
                        if os.path.isfile(path) and not os.path.islink(path):
                            with open(path, "rb") as handle:
                                values[name + "_" + os.path.relpath(path, source).replace("/", "_")] = handle.read()
            elif os.path.exists(source):
                with open(source, "rb") as handle:
                    values[name] = handle.read()
            elif name not in values:
                raise SystemExit(f"{self.name}: credential {name}: {source} is missing")
        for name, value in values.items():
            target = os.path.join(folder, name)
            with open(target, "wb") as handle:
                handle.write(value)
            os.chmod(target, 0o400)
            os.chown(target, uid, gid)
        os.chmod(folder, 0o500)
        os.chown(folder, uid, gid)
        return folder

    def directories(self):
        uid, gid = self.account()
        for key, base in (("RuntimeDirectory", "/run"), ("StateDirectory", "/var/lib"), ("LogsDirectory", "/var/log")):
            for name in " ".join(self.unit.get(key, [])).split():
                path = os.path.join(base, name)
                os.makedirs(path, exist_ok=True)
                os.chown(path, uid, gid)

    def command(self, line):
        return [word.replace("$MAINPID", str(self.process.pid if self.process else 0)) for word in shlex.split(line.lstrip("+-@!"))]

    def environment(self, credentials):
        environment = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "CREDENTIALS_DIRECTORY": credentials,
                       "HOME": pwd.getpwnam(self.user).pw_dir, "USER": self.user}
        for entry in self.unit.get("Environment", []):
            for pair in shlex.split(entry):
                key, _, value = pair.partition("=")
                environment[key] = value
        return environment

    def demote(self):
        uid, gid = self.account()

        def apply():
            os.setgroups([gid])
            os.setgid(gid)
            os.setuid(uid)
            os.umask(int(first(self.unit, "UMask", "0022"), 8))
        return apply

    def start(self):
        credentials = self.credentials()
        self.directories()
        environment = self.environment(credentials)
        log = open(os.path.join(self.rundir, self.name + ".log"), "ab")
        for line in self.unit.get("ExecStartPre", []):
            subprocess.run(self.command(line), env=environment, preexec_fn=self.demote(), stdout=log, stderr=log, check=True)
        notify = None
        if first(self.unit, "Type", "simple") == "notify":
            notify_path = os.path.join(self.rundir, self.name + ".notify")
            if os.path.exists(notify_path):
                os.unlink(notify_path)
            notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            notify.bind(notify_path)
            os.chmod(notify_path, 0o777)
            environment["NOTIFY_SOCKET"] = notify_path
        passed = []
        if self.listener:
            # LISTEN_PID must be the service's own pid: the shell sets it, then becomes the service.
            environment.update(LISTEN_FDS="1", LISTEN_FDNAMES=self.name + ".socket")
            passed = [self.listener.fileno()]
            os.set_inheritable(self.listener.fileno(), True)
        argv = self.command(first(self.unit, "ExecStart"))
        script = ("exec 3<&%d; " % passed[0] if passed else "") + 'LISTEN_PID=$$ exec "$@"'
        self.process = subprocess.Popen(["/bin/sh", "-c", script, "sh", *argv], env=environment, preexec_fn=self.demote(),
                                        pass_fds=passed, stdout=log, stderr=log)
        if notify:
            notify.settimeout(60)
            try:
                while b"READY=1" not in notify.recv(4096):
                    pass
            finally:
                notify.close()

    def stop(self):
        if not self.process or self.process.poll() is not None:
            return
        self.process.send_signal(getattr(signal, first(self.unit, "KillSignal", "SIGTERM")))
        try:
            self.process.wait(timeout=seconds(first(self.unit, "TimeoutStopSec", "90")))
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def reload(self):
        for line in self.unit.get("ExecReload", []):
            subprocess.run(self.command(line), check=True)


def serve(rundir, unit_paths):
    os.makedirs(rundir, exist_ok=True)
    services = {}
    for path in unit_paths:
        socket_path = path.removesuffix(".service") + ".socket"
        service = Service(rundir, path, socket_path if os.path.exists(socket_path) else None)
        services[service.name] = service
    control_path = os.path.join(rundir, "manager.sock")
    if os.path.exists(control_path):
        os.unlink(control_path)
    control = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    control.bind(control_path)
    control.listen(8)
    with open(os.path.join(rundir, "manager.ready"), "w") as ready:
        ready.write(str(os.getpid()))
    while True:
        connection, _ = control.accept()
        with connection:
            words = connection.makefile().readline().split()
            try:
                reply = act(services, words)
            except Exception as error:  # every failure goes back to the caller
                reply = f"error {error}"
            connection.sendall((reply + "\n").encode())
            if words == ["shutdown"]:
                return


def act(services, words):
    if words == ["shutdown"]:
        for service in services.values():
            service.stop()
        return "ok"
    action, name = words
    service = services[name]
    if action == "start":
        service.start()
    elif action == "restart":
        service.stop()
        service.start()
    elif action == "reload":
        service.reload()
    elif action == "stop":
        service.stop()
    elif action == "pid":
        return str(service.process.pid if service.process and service.process.poll() is None else 0)
    else:
        return f"error unknown action {action}"
    return "ok"


def control(rundir, words):
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.connect(os.path.join(rundir, "manager.sock"))
    client.sendall((" ".join(words) + "\n").encode())
    reply = client.makefile().readline().strip()
    print(reply)
    return 0 if reply == "ok" or reply.isdigit() else 1


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3:])
    elif sys.argv[1] == "control":
        sys.exit(control(sys.argv[2], sys.argv[3:]))
    else:
        sys.exit(__doc__)
