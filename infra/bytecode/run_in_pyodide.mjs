// Run a Python script in Pyodide (CPython compiled to WebAssembly) with a host directory mounted.
//
//   node run_in_pyodide.mjs HOST_DIR MOUNT_POINT SCRIPT.py [ARGS...]
//
// HOST_DIR is mounted read-write at MOUNT_POINT (Node's file system, so files written there land on
// the host). The script runs as __main__ with sys.argv = [SCRIPT.py, ...ARGS]; its exit status
// becomes this process's. The package build uses it to compile the Lambda asset's bytecode for the
// runtime's Python, which this machine does not have; the tests use it to import from that bytecode.
import { readFileSync } from "node:fs";
import { loadPyodide } from "pyodide";

const [hostDir, mountPoint, script, ...args] = process.argv.slice(2);
if (!hostDir || !mountPoint || !script) {
  console.error("usage: node run_in_pyodide.mjs HOST_DIR MOUNT_POINT SCRIPT.py [ARGS...]");
  process.exit(2);
}
const pyodide = await loadPyodide({ stdout: (line) => console.log(line), stderr: (line) => console.error(line) });
pyodide.FS.mkdirTree(mountPoint);
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: hostDir }, mountPoint);
pyodide.globals.set("_script_source", readFileSync(script, "utf8"));
pyodide.globals.set("_script_argv", pyodide.toPy([script, ...args]));
const status = await pyodide.runPythonAsync(`
import sys
sys.argv = list(_script_argv)
_code = compile(_script_source, sys.argv[0], "exec")
try:
    exec(_code, {"__name__": "__main__", "__file__": sys.argv[0]})
    _status = 0
except SystemExit as _exit:
    _status = _exit.code if isinstance(_exit.code, int) else (0 if _exit.code is None else 1)
_status
`);
process.exit(status);
