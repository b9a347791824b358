//! How a built binary runs on this host: natively, under qemu-user, wine, node or a WebAssembly
//! runtime, or not at all, and why. The executor's runner resolver decides it for each
//! planned target; `build --smoke`, `doctor` and (later) `crosscheck test` use the answer,
//! and the manifest records it.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What kind of runner runs a target's binaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RunnerKind {
    /// The host runs it itself (its own platform, or linux/386 on an amd64 kernel).
    Native,
    /// `qemu-<arch>` from qemu-user, for other Linux architectures.
    QemuUser,
    /// node with Go's `wasm_exec_node.js`, for js/wasm.
    Node,
    /// wazero, for wasip1/wasm.
    Wazero,
    /// wasmtime, for wasip1/wasm.
    Wasmtime,
    /// wine, for windows/amd64 (and windows/386 where a 32-bit wine is installed).
    Wine,
    /// A command the matrix sets (`runner` in `[[override]]`).
    Custom,
}

impl RunnerKind {
    /// The word for it in tables and JSON: `native`, `qemu-user`, `node`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            RunnerKind::Native => "native",
            RunnerKind::QemuUser => "qemu-user",
            RunnerKind::Node => "node",
            RunnerKind::Wazero => "wazero",
            RunnerKind::Wasmtime => "wasmtime",
            RunnerKind::Wine => "wine",
            RunnerKind::Custom => "custom",
        }
    }
}

/// Where a matrix's `runner` command takes the binary's path.
pub const PATH_PLACEHOLDER: &str = "{path}";

/// How to run one target's binaries: `command`, then the binary's path, then its arguments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Runner {
    /// What kind of runner it is.
    pub kind: RunnerKind,
    /// The words before the binary's path: empty for native, `["qemu-s390x"]`,
    /// `["node", "--stack-size=8192", "/usr/lib/go/lib/wasm/wasm_exec_node.js"]`.
    pub command: Vec<String>,
    /// Variables the runner needs besides the program's own (`QEMU_CPU`, `QEMU_LD_PREFIX`).
    pub env: BTreeMap<String, String>,
    /// For people, e.g. `qemu-s390x (qemu-user 7.2.0)`.
    pub description: String,
}

impl Runner {
    /// The argv that runs `binary` with `args` under this runner.
    ///
    /// A command that names [`PATH_PLACEHOLDER`] (a matrix's own `runner`) gets the binary's
    /// path there; any other gets it after its last word. `args` always come last.
    pub fn argv(&self, binary: &str, args: &[String]) -> Vec<String> {
        let placed = self
            .command
            .iter()
            .any(|word| word.contains(PATH_PLACEHOLDER));
        let command = self
            .command
            .iter()
            .map(|word| word.replace(PATH_PLACEHOLDER, binary));
        let binary = (!placed).then(|| binary.to_owned());
        command.chain(binary).chain(args.iter().cloned()).collect()
    }
}

/// Whether a target's binaries can run on this host.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Runnability {
    /// They run with this runner.
    Runs(Runner),
    /// They cannot run here. Never counted or shown as passed.
    NotRun {
        /// Why, e.g. `no runner for darwin/arm64 on a linux host`.
        reason: String,
        /// What would make it run, when something would: `apt-get install qemu-user`.
        install: Option<String>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runner(command: &[&str]) -> Runner {
        Runner {
            kind: RunnerKind::Custom,
            command: command.iter().map(|w| w.to_string()).collect(),
            env: BTreeMap::new(),
            description: String::new(),
        }
    }

    #[test]
    fn the_binary_follows_the_command_unless_it_names_its_place() {
        let args = ["--version".to_owned()];
        assert_eq!(
            runner(&["qemu-s390x"]).argv("/d/hello", &args),
            ["qemu-s390x", "/d/hello", "--version"]
        );
        assert_eq!(runner(&[]).argv("/d/hello", &[]), ["/d/hello"]);
        assert_eq!(
            runner(&["box", "--bin={path}", "--"]).argv("/d/hello", &args),
            ["box", "--bin=/d/hello", "--", "--version"]
        );
    }
}
