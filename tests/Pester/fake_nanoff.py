#!/usr/bin/python3
"""A stand-in for nanoff in the Pester tests of flash.ps1's provisioning by file.

--filedeployment JSON is read as nanoff 2.5.126 reads it (FileDeploymentManager: System.Text.Json,
property names case-insensitive; "SerialPort" optional, "Files" a list of DestinationFilePath and
SourceFilePath, a missing source meaning a delete). A destination on the device's internal drive
"I:\\NAME" is written to $WARP_FAKE_DRIVE/NAME (the Linux host's --drop-dir). Like nanoff, a file
that cannot be deployed is reported on the output and the exit code stays 0.
Every call is appended to $WARP_FAKE_RECORD as a JSON line: the arguments, and for a file
deployment the JSON as read and each source file's permission bits and size at the time.
$WARP_FAKE_FAIL=write makes each file deployment fail as a full drive would.
"""
import json, os, stat, sys

def lower_keys(o):
    if isinstance(o, dict):
        return {k.lower(): lower_keys(v) for k, v in o.items()}
    if isinstance(o, list):
        return [lower_keys(v) for v in o]
    return o

def main(argv):
    record = {"args": argv}
    code = 0
    if "--filedeployment" in argv:
        path = argv[argv.index("--filedeployment") + 1]
        with open(path, encoding="utf-8") as f:
            raw = json.load(f)
        cfg = lower_keys(raw)
        record["json"] = raw
        record["sources"] = []
        drive = os.environ.get("WARP_FAKE_DRIVE")
        for entry in cfg.get("files") or []:
            dest = entry.get("destinationfilepath") or ""
            src = entry.get("sourcefilepath")
            if not src:
                print("Deleting file %s...OK" % dest)
                continue
            st = os.stat(src)
            record["sources"].append({"path": src, "mode": "%o" % stat.S_IMODE(st.st_mode), "size": st.st_size})
            if os.environ.get("WARP_FAKE_FAIL") == "write" or not dest.startswith("I:\\") or not drive:
                print("Deploying file %s to %s..." % (src, dest))
                print("Error deploying content file %s to %s" % (src, dest))
                continue
            with open(src, "rb") as f:
                data = f.read()
            target = os.path.join(drive, dest[3:])
            tmp = target + ".part"
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, target)
            print("Deploying file %s to %s...OK" % (src, dest))
    rec = os.environ.get("WARP_FAKE_RECORD")
    if rec:
        with open(rec, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
    return code

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
