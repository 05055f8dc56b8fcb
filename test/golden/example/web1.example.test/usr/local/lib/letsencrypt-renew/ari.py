# Managed by provision (role letsencrypt). Do not edit: changes are overwritten on the next apply.
# ACME Renewal Information (ARI, RFC 9773) and the per-certificate renewal state for the renewal
# script (/usr/local/sbin/letsencrypt-renew), installed verbatim by the letsencrypt role as
# /usr/local/lib/letsencrypt-renew/ari.py and run by root with /usr/bin/python3 (there on every host:
# acme-tiny needs it). Standard library only. It never decides alone and never crashes the renewal:
# every failure is "no ARI answer" plus a log line, and the script's own rules (missing, placeholder,
# names, key, a third of the lifetime or acme_renew_before) stay the backstop whatever ARI says.
#
#   ari.py check NAME CERT STATE_DIR DIRECTORY_URL RUN_INTERVAL RENEW_BEFORE CA_FILE
#       asks the CA about the installed certificate CERT (when the state says it is time to), updates
#       STATE_DIR/NAME.json and prints log lines ("info|warning|err MESSAGE"), then "due REASON" when
#       the ARI window says to renew now, else "not-due".
#   ari.py record NAME CERT STATE_DIR RENEW_BEFORE OUTCOME REASON ERROR
#       records the run's outcome for NAME (renewed | failed | not-due) with the installed CERT.
#   ari.py cert-id CERT
#       prints CERT's ARI CertID (for the tests).
#   ari.py metrics METRICS_DIR STATE_DIR CERTS_DIR NAMES ENDPOINTS
#       writes METRICS_DIR/letsencrypt.prom for node_exporter's textfile collector: per certificate of
#       NAMES (space-separated) its dates, from CERTS_DIR/NAME/fullchain.pem and STATE_DIR/NAME.json,
#       and per line "NAME PORT STARTTLS SERVER_NAME SERVICE" of ENDPOINTS whether the daemon on
#       127.0.0.1:PORT presents the installed certificate (see metrics() below).
#
# The state file (one per certificate, the contract `provision status` reads; epoch seconds):
#   {"version": 1, "certificate", "serial" (hex as openssl -serial prints it), "notBefore", "notAfter",
#    "ari": null | {"certId", "checkedAt", "nextCheckAt", "window": null | {"start", "end"},
#                   "selectedAt", "explanationURL", "error", "consecutiveErrors"},
#    "plannedRenewalAt", "lastAttempt": null | {"at", "outcome", "reason", "error"},
#    "lastRenewal", "consecutiveFailures"}
#
# Facts (shared/docs/ca-2026.md, "ARI"): RFC 9773 section 4.1 (the CertID), 4.2 (the window; the
# client picks a uniformly random moment in it and renews when it is past or before its next run; a
# window whose end is not after its start is no answer), 4.3 (when to ask again: Retry-After, clamped;
# temporary errors back off, long-term ones are retried after hours); Let's Encrypt's integration
# guide (letsencrypt.org/docs/integration-guide/: check at least twice a day, keep the 1/3 rule as the
# backstop, back off about 1 min, 10 min, 100 min, then daily, tell the administrator every error).
import base64
import calendar
import email.utils
import json
import os
import random
import re
import socket
import ssl
import stat
import sys
import tempfile
import time
import urllib.error
import urllib.request

VERSION = 1
TIMEOUT = 10  # seconds per GET: a hung CA must not hold the renewal
MAX_BODY = 65536
RETRY_AFTER_MIN = 60  # RFC 9773 4.3: clients should clamp Retry-After to a sane range
RETRY_AFTER_MAX = 86400
DEFAULT_NEXT_CHECK = 6 * 3600  # no Retry-After: Let's Encrypt's own (6 h +- 20 %)
LONG_TERM_RETRY = 6 * 3600  # RFC 9773 4.3: long-term errors (bad JSON, 4xx, DNS, refused)
TEMPORARY_BACKOFF = [60, 600, 6000, 86400]  # 5xx, timeouts: LE's guide, then daily


class NoAnswer(Exception):
    """The CA gave no usable ARI answer; `temporary` says whether to back off briefly."""

    def __init__(self, message, temporary, retry_after=None):
        super().__init__(message)
        self.temporary = temporary
        self.retry_after = retry_after


# --- the certificate, read from its DER (no openssl text output, which changes between versions) ---


def tlv(der, at):
    """The DER element at `at`: (tag, content start, content end)."""
    tag = der[at]
    length = der[at + 1]
    start = at + 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(der[start : start + count], "big")
        start += count
    if start + length > len(der):
        raise ValueError("truncated DER")
    return tag, start, start + length


def children(der, parent):
    out = []
    at = parent[1]
    while at < parent[2]:
        out.append(tlv(der, at))
        at = out[-1][2]
    return out


def der_time(der, element):
    tag, start, end = element
    text = der[start:end].decode("ascii")
    if tag == 0x17:  # UTCTime YYMMDDHHMMSSZ (RFC 5280 4.1.2.5.1: 50..99 are 19xx)
        year = int(text[0:2])
        text = ("19" if year >= 50 else "20") + text
    match = re.fullmatch(r"(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z", text)
    if not match:
        raise ValueError("unreadable certificate date " + text)
    return calendar.timegm(tuple(int(part) for part in match.groups()) + (0, 0, 0))


AKI_OID = bytes([0x55, 0x1D, 0x23])  # 2.5.29.35 authorityKeyIdentifier


def read_certificate(path):
    """The first certificate of a PEM file: serial bytes, notBefore, notAfter, AKI keyIdentifier (or None)."""
    with open(path, "r", encoding="ascii", errors="replace") as pem:
        text = pem.read()
    match = re.search(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", text, re.S)
    if not match:
        raise ValueError("no certificate in " + path)
    return parse_der(base64.b64decode("".join(match.group(1).split())))


def parse_der(der):
    """A DER certificate: serial bytes, notBefore, notAfter, AKI keyIdentifier (or None)."""
    tbs = children(der, tlv(der, 0))[0]
    fields = children(der, tbs)
    if fields[0][0] == 0xA0:  # version [0], present in every v3 certificate
        fields = fields[1:]
    serial = der[fields[0][1] : fields[0][2]]  # the DER INTEGER's content bytes
    validity = children(der, fields[3])
    key_id = None
    for field in fields[6:]:
        if field[0] != 0xA3:
            continue
        for extension in children(der, children(der, field)[0]):
            parts = children(der, extension)
            if der[parts[0][1] : parts[0][2]] != AKI_OID:
                continue
            value = parts[-1]  # OCTET STRING holding the AuthorityKeyIdentifier SEQUENCE
            for part in children(der, tlv(der, value[1])):
                if part[0] == 0x80:  # keyIdentifier [0]
                    key_id = der[part[1] : part[2]]
    return {"serial": serial, "notBefore": der_time(der, validity[0]), "notAfter": der_time(der, validity[1]), "keyId": key_id}


def unpadded(data):
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def cert_id(cert):
    """RFC 9773 4.1: base64url(AKI keyIdentifier) "." base64url(serial DER content), unpadded."""
    if cert["keyId"] is None:
        raise ValueError("the certificate has no authority key identifier")
    return unpadded(cert["keyId"]) + "." + unpadded(cert["serial"])


def serial_hex(serial):
    """The serial as `openssl x509 -serial` prints it: upper-case hex of its bytes, without DER's leading 00."""
    if len(serial) > 1 and serial[0] == 0:
        serial = serial[1:]
    return serial.hex().upper()


# --- the answer ---

RFC3339 = re.compile(r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(\.\d+)?([Zz]|[+-]\d\d:\d\d)")


def rfc3339(value):
    """Epoch seconds of an RFC 3339 date-time, or ValueError."""
    match = RFC3339.fullmatch(value) if isinstance(value, str) else None
    if not match:
        raise ValueError("not an RFC 3339 date-time: " + shown(value))
    parts = [int(part) for part in match.groups()[:6]]
    seconds = calendar.timegm(tuple(parts) + (0, 0, 0))
    zone = match.group(8)
    if zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        seconds -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    return seconds


def parse_window(body):
    """RFC 9773 4.2: {"suggestedWindow": {"start", "end"}, "explanationURL"?}; an end not after its start is invalid."""
    try:
        answer = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise NoAnswer("malformed JSON (" + shown(str(error)) + ")", temporary=False)
    window = answer.get("suggestedWindow") if isinstance(answer, dict) else None
    if not isinstance(window, dict):
        raise NoAnswer("no suggestedWindow in the answer", temporary=False)
    try:
        start, end = rfc3339(window.get("start")), rfc3339(window.get("end"))
    except ValueError as error:
        raise NoAnswer("invalid window: " + str(error), temporary=False)
    if end <= start:
        raise NoAnswer("invalid window: its end " + iso(end) + " is not after its start " + iso(start), temporary=False)
    url = answer.get("explanationURL")
    return {"start": start, "end": end}, (shown(url) if isinstance(url, str) and url else None)


def retry_after(value, now):
    """Seconds a Retry-After header asks to wait (delta-seconds or an HTTP-date), clamped; None without one."""
    if value is None:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+", value):
        seconds = int(value)
    else:
        try:
            seconds = int(email.utils.parsedate_to_datetime(value).timestamp()) - now
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    return max(RETRY_AFTER_MIN, min(RETRY_AFTER_MAX, seconds))


def https_context(ca_file):
    # The system store (which honours SSL_CERT_FILE, as for acme-tiny) plus acme_ca_file.
    try:
        context = ssl.create_default_context()
        if ca_file:
            context.load_verify_locations(cafile=ca_file)
    except (OSError, ValueError, ssl.SSLError) as error:
        raise NoAnswer("cannot read the trust anchors (" + shown(str(error)) + ")", temporary=False)
    return context


def get(url, context, now):
    """The body of a GET of url; NoAnswer for anything but a 200 (4xx long-term, 5xx and timeouts temporary)."""
    request = urllib.request.Request(url, headers={"User-Agent": "letsencrypt-renew (provision) ari.py", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT, context=context) as response:
            status = response.status
            body = response.read(MAX_BODY + 1)
            wait = retry_after(response.headers.get("Retry-After"), now)
    except urllib.error.HTTPError as error:
        wait = retry_after(error.headers.get("Retry-After") if error.headers else None, now)
        raise NoAnswer("HTTP " + str(error.code) + " from " + url, temporary=error.code >= 500, retry_after=wait)
    except (socket.timeout, TimeoutError) as error:
        raise NoAnswer("no answer from " + url + " within " + str(TIMEOUT) + " s (" + shown(str(error)) + ")", temporary=True)
    except urllib.error.URLError as error:
        temporary = isinstance(error.reason, (socket.timeout, TimeoutError))
        raise NoAnswer("cannot reach " + url + " (" + shown(str(error.reason)) + ")", temporary=temporary)
    except (OSError, ValueError, ssl.SSLError) as error:
        raise NoAnswer("cannot reach " + url + " (" + shown(str(error)) + ")", temporary=False)
    if status != 200:
        raise NoAnswer("HTTP " + str(status) + " from " + url, temporary=status >= 500, retry_after=wait)
    if len(body) > MAX_BODY:
        raise NoAnswer("an answer of more than " + str(MAX_BODY) + " bytes from " + url, temporary=False)
    return body, wait


def renewal_info_url(directory_url, context, now):
    """The directory's renewalInfo URL, or None when the CA does not offer ARI."""
    body, _ = get(directory_url, context, now)
    try:
        directory = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise NoAnswer("the directory " + directory_url + " is not JSON", temporary=False)
    url = directory.get("renewalInfo") if isinstance(directory, dict) else None
    # Never downgraded: an https directory's renewalInfo is https too (plain http only for a test CA's http directory).
    schemes = ("https://",) if directory_url.startswith("https://") else ("https://", "http://")
    return url if isinstance(url, str) and url.startswith(schemes) else None


# --- the state ---


def shown(value, limit=300):
    """Text from the CA, safe for one log line: no control characters, bounded."""
    text = re.sub(r"[\x00-\x1f\x7f]", "?", str(value))
    return text if len(text) <= limit else text[:limit] + "..."


def iso(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def state_path(state_dir, name):
    return os.path.join(state_dir, name + ".json")


def safe_dir(state_dir):
    """Root writes here only when no other account can change the directory (owned by root, not group/other-writable)."""
    info = os.lstat(state_dir)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != 0 or info.st_mode & 0o022:
        raise ValueError(state_dir + " is not a directory only root can write")


def load_state(state_dir, name, say):
    try:
        with open(state_path(state_dir, name), "r", encoding="utf-8") as file:
            state = json.load(file)
        if isinstance(state, dict) and state.get("version") == VERSION:
            return state
        say("warning", "ARI: " + state_path(state_dir, name) + " is not a version " + str(VERSION) + " state file: starting it again")
    except FileNotFoundError:
        pass
    except (OSError, ValueError) as error:
        say("warning", "ARI: cannot read " + state_path(state_dir, name) + " (" + shown(str(error)) + "): starting it again")
    return {}


def valid_ari(ari):
    """A stored ARI state this version can use (anything else is dropped and asked again)."""
    def integer(value):
        return isinstance(value, int) and not isinstance(value, bool)

    def optional(value, kind):
        return value is None or isinstance(value, kind)

    window = ari.get("window") if isinstance(ari, dict) else None
    return (
        isinstance(ari, dict)
        and isinstance(ari.get("certId"), str)
        and integer(ari.get("checkedAt"))
        and integer(ari.get("nextCheckAt"))
        and (window is None or (isinstance(window, dict) and integer(window.get("start")) and integer(window.get("end"))))
        and (ari.get("selectedAt") is None or integer(ari.get("selectedAt")))
        and optional(ari.get("explanationURL"), str)
        and optional(ari.get("error"), str)
        and integer(ari.get("consecutiveErrors"))
    )


def fresh(state, name, cert):
    """The state in the contract's key order, for the installed certificate; ARI state of another certificate is dropped."""
    serial = serial_hex(cert["serial"]) if cert else None
    ari = state.get("ari")
    if not cert or state.get("serial") != serial or not valid_ari(ari):
        ari = None
    last = state.get("lastAttempt")
    return {
        "version": VERSION,
        "certificate": name,
        "serial": serial,
        "notBefore": cert["notBefore"] if cert else None,
        "notAfter": cert["notAfter"] if cert else None,
        "ari": ari,
        "plannedRenewalAt": state.get("plannedRenewalAt", 0),
        "lastAttempt": last if isinstance(last, dict) else None,
        "lastRenewal": state.get("lastRenewal") if isinstance(state.get("lastRenewal"), int) else None,
        "consecutiveFailures": state.get("consecutiveFailures") if isinstance(state.get("consecutiveFailures"), int) else 0,
    }


def write_state(state_dir, name, state):
    """Atomically: a temp file in the same directory, 0644, renamed over the old one."""
    safe_dir(state_dir)
    handle, temp = tempfile.mkstemp(dir=state_dir, prefix="." + name + ".", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(state, file, indent=2)
            file.write("\n")
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, state_path(state_dir, name))
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def planned(state, renew_before):
    """When this script will renew: the chosen ARI moment or the backstop (a third of the lifetime, acme_renew_before), whichever is first."""
    if state["notAfter"] is None or renew_before is None:
        return int(time.time())
    backstop = state["notAfter"] - renew_before
    ari = state["ari"]
    if ari and isinstance(ari.get("selectedAt"), int):
        return min(ari["selectedAt"], backstop)
    return backstop


def ask(state, cert_id_text, directory_url, ca_file, now, say, rng):
    """Asks the CA for the window of the installed certificate and records the answer (or the error) in state["ari"]."""
    previous = state["ari"] if state["ari"] and state["ari"].get("certId") == cert_id_text else None
    ari = {
        "certId": cert_id_text,
        "checkedAt": now,
        "nextCheckAt": now + DEFAULT_NEXT_CHECK,
        "window": previous.get("window") if previous else None,
        "selectedAt": previous.get("selectedAt") if previous else None,
        "explanationURL": previous.get("explanationURL") if previous else None,
        "error": None,
        "consecutiveErrors": 0,
    }
    try:
        context = https_context(ca_file)
        base = renewal_info_url(directory_url, context, now)
        if base is None:
            say("info", "ARI: the CA's directory has no renewalInfo: its renewal window is not asked")
            state["ari"] = None
            return
        body, wait = get(base.rstrip("/") + "/" + cert_id_text, context, now)
        window, explanation = parse_window(body)
    except NoAnswer as error:
        errors = (previous.get("consecutiveErrors", 0) if previous and isinstance(previous.get("consecutiveErrors"), int) else 0) + 1
        if error.retry_after is not None:
            pause = error.retry_after
        elif error.temporary:
            pause = TEMPORARY_BACKOFF[min(errors, len(TEMPORARY_BACKOFF)) - 1]
        else:
            pause = LONG_TERM_RETRY
        ari.update(nextCheckAt=now + pause, error=shown(str(error)), consecutiveErrors=errors)
        state["ari"] = ari
        kept = " (the window it gave before stands)" if ari["window"] else ""
        say("warning", "ARI: no usable renewal window from the CA: " + shown(str(error)) + "; asking again at " + iso(now + pause) + kept)
        return
    # RFC 9773 4.2: a uniformly random moment in the window, chosen once and kept while the window is the same.
    if ari["window"] != window or not isinstance(ari["selectedAt"], int):
        ari["selectedAt"] = rng.randint(window["start"], window["end"])
    ari.update(window=window, explanationURL=explanation, nextCheckAt=now + (wait if wait is not None else DEFAULT_NEXT_CHECK))
    state["ari"] = ari
    if explanation:
        say("warning", "ARI: the CA explains this certificate's renewal window at " + explanation)


def check(argv, say, rng):
    name, cert_file, state_dir, directory_url, interval, renew_before, ca_file = argv
    now = int(time.time())
    interval, renew_before = int(interval), int(renew_before)
    cert = read_certificate(cert_file)
    state = fresh(load_state(state_dir, name, say), name, cert)
    verdict = "not-due"
    try:
        cert_id_text = cert_id(cert)
    except ValueError as error:
        cert_id_text = None
        say("info", "ARI: not asked: " + str(error))
        state["ari"] = None
    if cert_id_text is None:
        pass
    elif now >= cert["notAfter"]:
        # Never ask about an expired certificate (RFC 9773, shared/docs/ca-2026.md "ARI"); the backstop renews it.
        say("info", "ARI: not asked: the certificate expired at " + iso(cert["notAfter"]))
    elif state["ari"] is None or state["ari"].get("certId") != cert_id_text or now >= state["ari"].get("nextCheckAt", 0):
        ask(state, cert_id_text, directory_url, ca_file, now, say, rng)
    ari = state["ari"]
    if ari and ari.get("window") and isinstance(ari.get("selectedAt"), int) and now < cert["notAfter"]:
        window, selected = ari["window"], ari["selectedAt"]
        span = "the CA's renewal window (ARI) " + iso(window["start"]) + " .. " + iso(window["end"])
        if selected <= now:
            verdict = "due " + span + ": the moment chosen in it, " + iso(selected) + ", has passed"
        elif selected <= now + interval:
            verdict = "due " + span + ": the moment chosen in it, " + iso(selected) + ", comes before the next scheduled run"
        else:
            say("info", "ARI: " + span + " puts the renewal at " + iso(selected) + " (the CA is asked again at " + iso(ari["nextCheckAt"]) + ")")
    state["plannedRenewalAt"] = planned(state, renew_before)
    try:
        write_state(state_dir, name, state)
    except (OSError, ValueError) as error:  # the verdict stands; the next run asks again
        say("warning", "ARI: cannot write the renewal state in " + state_dir + ": " + shown(str(error)))
    return verdict


def record(argv, say):
    name, cert_file, state_dir, renew_before, outcome, reason, error = argv
    now = int(time.time())
    try:
        cert = read_certificate(cert_file)
    except (OSError, ValueError, IndexError):
        cert = None
    state = fresh(load_state(state_dir, name, say), name, cert)
    state["lastAttempt"] = {"at": now, "outcome": outcome, "reason": shown(reason), "error": shown(error) if error else None}
    if outcome == "renewed":
        state["lastRenewal"] = now
        state["consecutiveFailures"] = 0
    elif outcome == "failed":
        state["consecutiveFailures"] += 1
    state["plannedRenewalAt"] = planned(state, int(renew_before) if re.fullmatch(r"\d+", renew_before) else None)
    write_state(state_dir, name, state)



# --- the metrics file for node_exporter's textfile collector ---
#
# shared/docs/ca-2026.md, "Monitoring conventions": the collector reads *.prom in its directory, so
# the file is written to a temp name not ending in .prom in the same directory and renamed; no sample
# timestamps (the collector's node_textfile_mtime_seconds says when the file was written); names in
# cert-manager's style, base units. The names and labels are those of `provision status --format
# prometheus` (src/cli/report/status-prometheus.ts) without its host label (the scrape's instance is
# the host), so one set of alert rules serves both.

METRICS_FILE = "letsencrypt.prom"
ENDPOINT_TIMEOUT = 5  # seconds per connection: a hung daemon must not hold the renewal
SERVED_TRIES = 4  # a daemon reloaded a moment ago may still hand out its old certificate briefly
SERVED_PAUSE = 2


def label_value(value):
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def read_reply(reader, done):
    """Lines of a STARTTLS dialogue's reply until done(line); the last line."""
    while True:
        line = reader.readline(1024)
        if not line:
            raise OSError("the connection closed during STARTTLS")
        if done(line):
            return line


def starttls(sock, protocol):
    """The protocol's STARTTLS on a plain connection (by hand: smtplib and imaplib send the connected
    address, 127.0.0.1, as the SNI name, and we must ask for the certificate's name)."""
    reader = sock.makefile("rb")
    if protocol == "smtp":
        last = lambda line: len(line) < 4 or line[3:4] != b"-"
        if not read_reply(reader, last).startswith(b"220"):
            raise OSError("no SMTP greeting")
        sock.sendall(b"EHLO localhost\r\n")
        read_reply(reader, last)
        sock.sendall(b"STARTTLS\r\n")
        if not read_reply(reader, last).startswith(b"220"):
            raise OSError("the SMTP server refused STARTTLS")
    elif protocol == "imap":
        if not read_reply(reader, lambda line: True).startswith(b"* OK"):
            raise OSError("no IMAP greeting")
        sock.sendall(b"a1 STARTTLS\r\n")
        if not read_reply(reader, lambda line: line.startswith(b"a1 ")).startswith(b"a1 OK"):
            raise OSError("the IMAP server refused STARTTLS")


def served_serial(port, protocol, server_name):
    """The serial (hex) of the leaf the daemon on 127.0.0.1:port presents for the SNI server_name. No
    verification: only the serial is compared with the installed certificate's."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=ENDPOINT_TIMEOUT) as sock:
        if protocol != "none":
            starttls(sock, protocol)
        with context.wrap_socket(sock, server_hostname=server_name) as tls:
            der = tls.getpeercert(binary_form=True)
    if not der:
        raise OSError("no certificate presented")
    return serial_hex(parse_der(der)["serial"])


def certificate_samples(name, certs_dir, state_dir, say):
    """(family, value) pairs of one certificate, and its installed serial (None without one)."""
    try:
        cert = read_certificate(os.path.join(certs_dir, name, "fullchain.pem"))
    except (OSError, ValueError, IndexError) as error:
        say("warning", "metrics: " + name + ": no installed certificate to report (" + shown(str(error)) + ")")
        cert = None
    state = fresh(load_state(state_dir, name, say), name, cert)
    samples = []
    if cert:
        samples += [("expiration", cert["notAfter"]), ("not_before", cert["notBefore"])]
        lifetime = cert["notAfter"] - cert["notBefore"]
        planned_at = state["plannedRenewalAt"]
        # Without a run's plan (no state yet): a third of the lifetime before expiry, as status says.
        samples.append(("renewal", planned_at if isinstance(planned_at, int) and planned_at > 0 else cert["notAfter"] - lifetime // 3))
    last = state["lastAttempt"]
    if last and isinstance(last.get("at"), int):
        samples.append(("last_attempt", last["at"]))
    if state["lastRenewal"] is not None:
        samples.append(("last_success", state["lastRenewal"]))
    samples.append(("failures", state["consecutiveFailures"]))
    return samples, (serial_hex(cert["serial"]) if cert else None)


FAMILIES = [
    ("expiration", "provision_certificate_expiration_timestamp_seconds", "The installed certificate's notAfter."),
    ("not_before", "provision_certificate_not_before_timestamp_seconds", "The installed certificate's notBefore."),
    ("renewal", "provision_certificate_renewal_timestamp_seconds", "When the renewal is planned (the renewal state, else two thirds into the lifetime)."),
    ("last_attempt", "provision_certificate_renewal_last_attempt_timestamp_seconds", "When the renewal script last tried."),
    ("last_success", "provision_certificate_renewal_last_success_timestamp_seconds", "When the renewal script last renewed it."),
    ("failures", "provision_certificate_renewal_consecutive_failures", "Failed renewal attempts since the last success."),
    ("served", "provision_certificate_served_matches_installed", "Whether the daemon presents the installed certificate on the port (asked on the host over loopback)."),
]


def endpoint_matches(line, installed, say):
    """(labels, 1 or 0) of one ENDPOINTS line, or None when nothing answered (no sample: see README)."""
    name, port, protocol, server_name, service = line.split(" ", 4)
    if name not in installed or installed[name] is None:
        return None
    for attempt in range(SERVED_TRIES):
        if attempt:  # only another certificate is asked again: a reload may still be under way
            time.sleep(SERVED_PAUSE)
        try:
            if served_serial(int(port), protocol, server_name) == installed[name]:
                return {"certificate": name, "service": service, "port": port}, 1
        except (OSError, ValueError, IndexError, ssl.SSLError) as error:
            say("info", "metrics: " + name + ": nothing answered as " + service + " on port " + port + " (" + shown(str(error)) + "): no served_matches_installed sample")
            return None
    say("warning", "metrics: " + name + ": " + service + " on port " + port + " presents another certificate than the installed one (not reloaded?)")
    return {"certificate": name, "service": service, "port": port}, 0


def open_metrics_dir(metrics_dir, say):
    """A descriptor of metrics_dir when only root can write it, else None and a log line. Every later
    step is relative to it, so an account that can change a parent (Debian's /var/lib/prometheus is
    prometheus's) cannot swap the checked directory for another between the check and the write."""
    try:
        fd = os.open(metrics_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except FileNotFoundError:
        say("info", "metrics: " + metrics_dir + " does not exist (no node_exporter textfile collector): no metrics file written")
        return None
    except OSError:  # a link (ELOOP) or not a directory
        fd = None
    info = os.fstat(fd) if fd is not None else None
    # Root never writes into a directory another account can change (nor through a link).
    if info is None or not stat.S_ISDIR(info.st_mode) or info.st_uid != 0 or info.st_mode & 0o022:
        if fd is not None:
            os.close(fd)
        say("warning", "metrics: " + metrics_dir + " is not a directory only root can write (a link, another owner, or group/other-writable): no metrics file written")
        return None
    return fd


def write_metrics_file(fd, text):
    """METRICS_FILE in the directory fd, atomically: a temp name not ending in .prom, 0644, renamed."""
    for _ in range(100):
        temp = "." + METRICS_FILE + "." + "".join(random.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(8))
        try:
            handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=fd)
            break
        except FileExistsError:
            continue
    else:
        raise OSError("no free temp name in the metrics directory")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fchmod(file.fileno(), 0o644)
            os.fsync(file.fileno())
        os.rename(temp, METRICS_FILE, src_dir_fd=fd, dst_dir_fd=fd)
    except BaseException:
        try:
            os.unlink(temp, dir_fd=fd)
        except OSError:
            pass
        raise


def metrics(argv, say):
    metrics_dir, state_dir, certs_dir, names, endpoints = argv
    fd = open_metrics_dir(metrics_dir, say)
    if fd is None:
        return
    try:
        series = {key: [] for key, _, _ in FAMILIES}
        installed = {}
        for name in names.split():
            samples, installed[name] = certificate_samples(name, certs_dir, state_dir, say)
            for key, value in samples:
                series[key].append(({"certificate": name}, value))
        for line in endpoints.splitlines():
            if line.strip():
                sample = endpoint_matches(line, installed, say)
                if sample:
                    series["served"].append(sample)
        text = ""
        for key, family, help_text in FAMILIES:
            if not series[key]:
                continue
            text += "# HELP " + family + " " + help_text + "\n# TYPE " + family + " gauge\n"
            for labels, value in series[key]:
                text += family + "{" + ",".join(k + '="' + label_value(v) + '"' for k, v in labels.items()) + "} " + str(value) + "\n"
        write_metrics_file(fd, text)
    finally:
        os.close(fd)

def main(argv):
    lines = []

    def say(priority, message):
        lines.append(priority + " " + shown(message, 1000))

    command = argv[1] if len(argv) > 1 else ""
    verdict = "not-due"
    try:
        if command == "check" and len(argv) == 9:
            verdict = check(argv[2:], say, random.SystemRandom())
        elif command == "record" and len(argv) == 9:
            record(argv[2:], say)
        elif command == "metrics" and len(argv) == 7:
            metrics(argv[2:], say)
        elif command == "cert-id" and len(argv) == 3:
            print(cert_id(read_certificate(argv[2])))
            return 0
        else:
            say("err", "ARI helper: usage: ari.py check|record|metrics|cert-id ...")
    except Exception as error:  # never crash the renewal: no ARI answer, and a line saying why
        say("warning", "ARI: not used this run: " + type(error).__name__ + ": " + shown(str(error)))
        verdict = "not-due"
    for line in lines:
        print(line)
    if command == "check":
        print(verdict)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
