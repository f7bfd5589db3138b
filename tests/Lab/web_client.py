#!/usr/bin/python3
"""The setup page as a client sees it, with Python's http.client (stdlib): run in the LAN
client's namespace by WebLabTests. Prints "ok <step>" for each step that held; exits non-zero
with the reason on the first that did not.
  web_client.py flow HOST IMPORT_FILE     set password, status, import, tunnel up, devices, logout, refusals
  web_client.py slowloris HOST N SECONDS  N connections that send a header line every second
"""
import http.client, re, sys, time, socket

def req(host, method, path, body=None, cookies=None, headers=None):
    c = http.client.HTTPConnection(host, 80, timeout=10)
    h = dict(headers or {})
    if cookies:
        h["Cookie"] = "; ".join("%s=%s" % kv for kv in cookies.items())
    if body is not None:
        h["Content-Type"] = "application/x-www-form-urlencoded"
        body = body.encode()
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read().decode("utf-8", "replace")
    c.close()
    set_cookies = {}
    for k, v in r.getheaders():
        if k.lower() == "set-cookie":
            name, val = v.split(";", 1)[0].split("=", 1)
            set_cookies[name] = (val, v)
    return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data, set_cookies

def check(cond, step):
    if not cond:
        print("FAIL " + step, flush=True)
        sys.exit(1)
    print("ok " + step, flush=True)

def csrf_of(page):
    m = re.search(r'name=csrf value=([0-9a-f]{32})', page)
    return m.group(1) if m else None

def flow(host, import_file):
    from urllib.parse import quote_plus
    st, h, page, sc = req(host, "GET", "/")
    check(st == 200 and "Set the admin password" in page, "first visit asks for a password")
    pre = sc["warp_pre"][0]
    check("HttpOnly" in sc["warp_pre"][1] and "SameSite=Strict" in sc["warp_pre"][1], "pre-session cookie HttpOnly SameSite=Strict")
    token = csrf_of(page)
    st, h, page, _ = req(host, "POST", "/setup", "csrf=%s&password=short&confirm=short" % token, {"warp_pre": pre})
    check(st == 200 and "8 to 128" in page, "a short password is refused")
    pre2 = re.search(r'value=([0-9a-f]{32})', page).group(1)
    st, h, page, sc = req(host, "POST", "/setup", "csrf=%s&password=hotel-secret-1&confirm=hotel-secret-1" % pre2, {"warp_pre": pre2})
    check(st == 303 and "warp_session" in sc, "password set, session given")
    cookie = sc["warp_session"][1]
    check("HttpOnly" in cookie and "SameSite=Strict" in cookie, "session cookie HttpOnly SameSite=Strict")
    sess = {"warp_session": sc["warp_session"][0]}
    st, h, page, _ = req(host, "GET", "/", cookies=sess)
    check(st == 200 and 'id=tunnel' in page and "class=up>" not in page, "status page shows the tunnel not up")
    csrf = csrf_of(page)
    st, h, page, _ = req(host, "GET", "/warp", cookies=sess)
    check(st == 200 and "PrivateKey = (hidden)" not in page and "Keys are never shown" in page, "warp page")
    bad = "[Interface]\nPrivateKey = nonsense\n[Peer]\nEndpoint = x\n"
    st, h, page, _ = req(host, "POST", "/warp/import", "csrf=%s&config=%s" % (csrf, quote_plus(bad)), sess)
    check(st == 400 and "line 2" in page, "a bad file shows its line errors")
    st, h, page, _ = req(host, "POST", "/warp/import", "csrf=%s&config=%s" % ("0" * 32, quote_plus(bad)), sess)
    check(st == 403, "a wrong CSRF token is refused")
    st, h, page, _ = req(host, "POST", "/warp/import", "csrf=%s&config=x" % csrf, sess, {"Origin": "http://evil.example"})
    check(st == 403, "a cross-site Origin is refused")
    text = open(import_file).read()
    st, h, page, _ = req(host, "POST", "/warp/import", "csrf=%s&config=%s" % (csrf, quote_plus(text)), sess)
    check(st == 200 and "id=imported" in page, "the good file is imported")
    key = re.search(r"PrivateKey\s*=\s*(\S+)", text).group(1)
    check(key not in page, "the private key is not echoed")
    up = False
    for i in range(60):
        time.sleep(0.5)
        try:
            st, h, page, _ = req(host, "GET", "/", cookies=sess)
        except (OSError, http.client.HTTPException):
            continue
        if st == 200 and "class=up>Up" in page:
            up = True
            break
    check(up, "the tunnel comes up after the import (session kept across the restart)")
    check(re.search(r"<tr><td>10\.98\.0\.\d+<td>", page) is not None, "the device list shows this client")
    csrf = csrf_of(page)
    st, h, page, sc = req(host, "POST", "/logout", "csrf=%s" % csrf, sess)
    check(st == 303 and "Max-Age=0" in sc.get("warp_session", ("", ""))[1], "logout")
    st, h, page, _ = req(host, "GET", "/wifi", cookies=sess)
    check(st == 303 and h.get("location") == "/", "the old cookie is refused after logout")
    st, h, page, _ = req(host, "GET", "/warp")
    check(st == 303, "no cookie: refused")
    st, h, page, _ = req(host, "POST", "/warp/import", "csrf=%s&config=x" % csrf)
    check(st == 403, "a POST without the session cookie (what a cross-site form sends under SameSite=Strict) is refused")
    st, h, page, sc = req(host, "GET", "/")
    check("Log in" in page, "login page")
    pre = sc["warp_pre"][0]
    st, h, page, sc = req(host, "POST", "/login", "csrf=%s&password=wrong-one" % pre, {"warp_pre": pre})
    check(st == 403 and "Wrong password" in page, "a wrong password is refused")
    st, h, page, _ = req(host, "PUT", "/")
    check(st == 405 and h.get("allow") == "GET, POST", "405 with Allow")
    st, h, page, _ = req(host, "GET", "/nothing")
    check(st == 404, "404")
    st, h, page, _ = req(host, "GET", "/", headers={"X-Big": "a" * 5000})
    check(st == 431, "oversized headers: 431")
    st, h, page, _ = req(host, "POST", "/login", "a" * 5000, {"warp_pre": pre})
    check(st == 413, "a body over the limit: 413")
    for i in range(6):
        st, h, page, sc = req(host, "GET", "/")
        pre = sc["warp_pre"][0]
        st, h, page, sc = req(host, "POST", "/login", "csrf=%s&password=wrong-%d" % (pre, i), {"warp_pre": pre})
        if st == 429:
            break
    check(st == 429 and "retry-after" in h, "repeated failures are rate-limited (429)")

def slowloris(host, n, seconds):
    socks = []
    for i in range(n):
        s = socket.create_connection((host, 80), timeout=5)
        s.send(b"GET / HTTP/1.1\r\nHost: x\r\n")
        socks.append(s)
    gone = set()  # the server answered (408) or closed or reset them: a send failed
    t0 = time.time()
    while time.time() - t0 < seconds:
        for i, s in enumerate(socks):
            try:
                s.send(b"X-Slow: 1\r\n")
            except OSError:
                gone.add(i)
        time.sleep(1)
    for i, s in enumerate(socks):
        s.setblocking(False)
        try:
            d = s.recv(4096)
            if d == b"" or b" 408 " in d:
                gone.add(i)
        except BlockingIOError:
            pass
        except OSError:
            gone.add(i)  # reset (Linux drops unread data on a RST, the 408 with it)
        s.close()
    closed = len(gone)
    print("slowloris connections %d answered-or-closed %d" % (n, closed), flush=True)

if __name__ == "__main__":
    if sys.argv[1] == "flow":
        flow(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "slowloris":
        slowloris(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
