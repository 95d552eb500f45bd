"""Clients that send what http.client refuses to: raw HTTP/1.1 bytes over a
socket, and HTTP/2 with prior knowledge (the `h2` package) with header
validation off, bodies in pieces, trailers and slow senders."""
import socket
import threading
import time

import h2.config
import h2.connection
import h2.events
import h2.exceptions


class RawResponse:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def __repr__(self):
        return f"<RawResponse {self.status} {self.body[:160]!r}>"


def _read_http1(sock, deadline):
    buf = b""
    while b"\r\n\r\n" not in buf:
        sock.settimeout(max(0.1, deadline - time.time()))
        d = sock.recv(65536)
        if not d:
            break
        buf += d
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    try:
        status = int(lines[0].split()[1])
    except (IndexError, ValueError):
        return RawResponse("closed" if not buf else "garbled", [], buf)
    headers = []
    for line in lines[1:]:
        k, _, v = line.partition(b":")
        headers.append((k.strip().lower().decode("latin-1"), v.strip().decode("latin-1")))
    hd = dict(headers)
    if "content-length" in hd:
        n = int(hd["content-length"])
        while len(rest) < n and time.time() < deadline:
            sock.settimeout(max(0.1, deadline - time.time()))
            d = sock.recv(65536)
            if not d:
                break
            rest += d
        body = rest[:n]
    elif hd.get("transfer-encoding", "").lower() == "chunked":
        while not rest.endswith(b"0\r\n\r\n") and time.time() < deadline:
            sock.settimeout(max(0.1, deadline - time.time()))
            d = sock.recv(65536)
            if not d:
                break
            rest += d
        body, out = rest, b""
        while body:
            size_line, _, body = body.partition(b"\r\n")
            size = int(size_line.split(b";")[0] or b"0", 16)
            if size == 0:
                break
            out += body[:size]
            body = body[size + 2:]
        body = out
    else:
        body = rest
    return RawResponse(status, headers, body)


def http1(port, data, pieces=None, delay=0.0, timeout=30):
    """Sends `data` (or `pieces`, with `delay` seconds between them) on a new
    connection and reads one response. Sending happens in a thread, so a
    server that answers early (and stops reading) does not block us."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    deadline = time.time() + timeout

    def send():
        try:
            for i, p in enumerate(pieces or [data]):
                if i and delay:
                    time.sleep(delay)
                sock.sendall(p)
        except OSError:
            pass  # the server answered and closed early

    t = threading.Thread(target=send, daemon=True)
    t.start()
    try:
        return _read_http1(sock, deadline)
    except (socket.timeout, ConnectionResetError) as ex:
        return RawResponse(type(ex).__name__, [], b"")
    finally:
        t.join(timeout=5)
        sock.close()


class H2:
    """One HTTP/2 connection (cleartext, prior knowledge)."""

    def __init__(self, port, timeout=30):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.timeout = timeout
        cfg = h2.config.H2Configuration(client_side=True, header_encoding=None,
                                        validate_outbound_headers=False,
                                        normalize_outbound_headers=False,
                                        validate_inbound_headers=False)
        self.conn = h2.connection.H2Connection(config=cfg)
        self.conn.initiate_connection()
        self._flush()

    def _flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def _pump(self, sid, resp, block=True):
        self.sock.settimeout(self.timeout if block else 0.0)
        try:
            data = self.sock.recv(1 << 20)
        except (BlockingIOError, InterruptedError):
            return
        except socket.timeout:
            resp.setdefault("status", "timeout")
            resp["done"] = True
            return
        except ConnectionResetError:
            resp.setdefault("status", "reset-connection")
            resp["done"] = True
            return
        if not data:
            resp.setdefault("status", "closed")
            resp["done"] = True
            return
        for ev in self.conn.receive_data(data):
            if isinstance(ev, h2.events.ResponseReceived) and ev.stream_id == sid:
                hd = dict(ev.headers)
                resp["status"] = int(hd[b":status"])
                resp["headers"] = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in ev.headers]
            elif isinstance(ev, h2.events.DataReceived):
                self.conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
                if ev.stream_id == sid:
                    resp["body"] = resp.get("body", b"") + ev.data
            elif isinstance(ev, h2.events.StreamEnded) and ev.stream_id == sid:
                resp["done"] = True
            elif isinstance(ev, h2.events.StreamReset) and ev.stream_id == sid:
                resp.setdefault("status", "reset-stream")
                resp["done"] = True
            elif isinstance(ev, h2.events.ConnectionTerminated):
                resp.setdefault("status", "goaway")
                resp["done"] = True
        self._flush()

    def request(self, method, path, headers=(), body=None, pieces=None, delay=0.0, trailers=None,
                end_stream_on_data=True):
        """One request. `headers` are (name, value) bytes or str pairs, sent as
        given. With `trailers`, the last DATA frame does not carry END_STREAM:
        the trailers end the stream."""
        enc = lambda x: x if isinstance(x, bytes) else x.encode()  # noqa: E731
        sid = self.conn.get_next_available_stream_id()
        hs = [(b":method", enc(method)), (b":path", enc(path)), (b":scheme", b"http"),
              (b":authority", b"localhost")] + [(enc(k), enc(v)) for k, v in headers]
        parts = pieces if pieces is not None else ([body] if body is not None else [])
        resp = {}
        try:
            self.conn.send_headers(sid, hs, end_stream=not parts and trailers is None)
            self._flush()
            for i, part in enumerate(parts):
                if i and delay:
                    time.sleep(delay)
                last_part = i == len(parts) - 1
                while part and not resp.get("done"):
                    window = min(self.conn.local_flow_control_window(sid), self.conn.max_outbound_frame_size)
                    if window <= 0:
                        self._pump(sid, resp)
                        continue
                    chunk, part = part[:window], part[window:]
                    end = last_part and not part and trailers is None and end_stream_on_data
                    self.conn.send_data(sid, chunk, end_stream=end)
                    self._flush()
                    self._pump(sid, resp, block=False)
                if resp.get("done"):
                    break
            if trailers is not None and not resp.get("done"):
                self.conn.send_headers(sid, [(enc(k), enc(v)) for k, v in trailers], end_stream=True)
                self._flush()
        except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError, OSError):
            pass  # answered (or reset) while we were still sending
        while not resp.get("done"):
            self._pump(sid, resp)
        return RawResponse(resp.get("status"), resp.get("headers", []), resp.get("body", b""))

    def close(self):
        try:
            self.conn.close_connection()
            self._flush()
        except Exception:  # noqa: BLE001 - best effort
            pass
        self.sock.close()


def http2(port, *args, **kwargs):
    """One request on a new HTTP/2 connection."""
    c = H2(port)
    try:
        return c.request(*args, **kwargs)
    finally:
        c.close()
