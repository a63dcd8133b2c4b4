//! The `ip` and `tc` command lines that build and remove a shaped link, kept apart from running
//! them so a test can check exactly what is configured without root.
//!
//! Topology: a network namespace `qarb-<pid>` joined to the root namespace by a veth pair,
//! `10.201.A.B+1/30` on the root side and `.B+2` in the namespace (A and B from the pid, so
//! concurrent runs on one machine do not collide), with `tbf` on both ends so each direction
//! gets the profile's rate.

use super::profiles::Profile;
use std::net::Ipv4Addr;

/// The names one run uses; all carry the pid so a later run can sweep what a killed one left.
#[derive(Debug, Clone, PartialEq)]
pub struct Names {
    pub ns: String,
    pub veth_root: String,
    pub veth_ns: String,
    pub root_ip: Ipv4Addr,
    pub ns_ip: Ipv4Addr,
}

pub const NS_PREFIX: &str = "qarb-";
const VETH_PREFIX: &str = "qarb";

impl Names {
    pub fn for_pid(pid: u32) -> Names {
        // 16,384 distinct /30 subnets in 10.201.0.0/16; interface names stay under 15 bytes.
        let third = ((pid >> 6) & 0xff) as u8;
        let base = ((pid & 0x3f) * 4) as u8;
        Names {
            ns: format!("{NS_PREFIX}{pid}"),
            veth_root: format!("{VETH_PREFIX}{pid}r"),
            veth_ns: format!("{VETH_PREFIX}{pid}n"),
            root_ip: Ipv4Addr::new(10, 201, third, base + 1),
            ns_ip: Ipv4Addr::new(10, 201, third, base + 2),
        }
    }
}

fn line(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| (*w).to_owned()).collect()
}

/// Bytes `tbf` queues before it drops: more than any phase of the bench has in flight at once
/// (the photos are 8.8 MB), so it never drops (decision 119).
const QUEUE_BYTES: u64 = 32 * 1024 * 1024;

/// The `tbf` parameters for one direction.
///
/// - `rate`: the profile's rate, in bit/s as tc reads `…bit`.
/// - `burst`: 10 ms of traffic at that rate, at least two full frames. A Wi-Fi access point or a
///   phone's modem does not let data through above its rate for long: a large bucket would let the
///   first ~100 KB of every response through at veth speed and flatter small requests. Two frames
///   is the least tbf needs to pass a full-sized packet at all.
/// - `limit`: a queue that never fills. The loss the link models is the proxy's (decision 107):
///   every lost segment is resent after a stall. A drop here would be loss on top of it, and not
///   the kind TCP recovers from as it would on the real link: our senders are local TCP stacks
///   whose own round trip over the veth is ~0, so with the short queue of the first runs (50 ms:
///   six frames at 1.5 Mbit/s) every new connection's first flight overflowed it, each drop cost a
///   200 ms timeout, doubling, 38–45% of the namespace's packets were dropped on the tether,
///   closes went missing, and the side opening a connection per request (PouchDB) paid most. A
///   deep queue is also what a phone's modem has; its cost, queueing delay behind a bulk transfer,
///   the bench's phases do not overlap.
pub fn tbf_args(profile: &Profile) -> Vec<String> {
    let bytes_per_s = profile.rate_bit_s / 8;
    let burst = (bytes_per_s / 100).max(2 * 1514);
    vec![
        "tbf".into(),
        "rate".into(),
        format!("{}bit", profile.rate_bit_s),
        "burst".into(),
        burst.to_string(),
        "limit".into(),
        QUEUE_BYTES.to_string(),
    ]
}

/// Every command, in order, that builds the link (run as root).
pub fn setup_commands(n: &Names, profile: &Profile) -> Vec<Vec<String>> {
    let root_cidr = format!("{}/30", n.root_ip);
    let ns_cidr = format!("{}/30", n.ns_ip);
    let mut cmds = vec![
        line(&["ip", "netns", "add", &n.ns]),
        line(&["ip", "link", "add", &n.veth_root, "type", "veth", "peer", "name", &n.veth_ns]),
        line(&["ip", "link", "set", &n.veth_ns, "netns", &n.ns]),
        line(&["ip", "addr", "add", &root_cidr, "dev", &n.veth_root]),
        line(&["ip", "link", "set", &n.veth_root, "up"]),
        line(&["ip", "-n", &n.ns, "addr", "add", &ns_cidr, "dev", &n.veth_ns]),
        line(&["ip", "-n", &n.ns, "link", "set", &n.veth_ns, "up"]),
        // The server and the proxy talk over the namespace's own loopback.
        line(&["ip", "-n", &n.ns, "link", "set", "lo", "up"]),
    ];
    // Root side's egress is the laptops' upload; the namespace side's egress is their download.
    let mut up = line(&["tc", "qdisc", "add", "dev", &n.veth_root, "root"]);
    up.extend(tbf_args(profile));
    let mut down = line(&["tc", "-n", &n.ns, "qdisc", "add", "dev", &n.veth_ns, "root"]);
    down.extend(tbf_args(profile));
    cmds.push(up);
    cmds.push(down);
    cmds
}

/// Removes the link; each step may fail harmlessly when it is already gone (deleting the
/// namespace also removes the veth end in it, which removes the pair).
pub fn teardown_commands(n: &Names) -> Vec<Vec<String>> {
    vec![line(&["ip", "netns", "del", &n.ns]), line(&["ip", "link", "del", &n.veth_root])]
}

/// Commands that remove what runs whose process is gone left behind, from `ip netns list` and
/// `ip -o link show` output.
pub fn sweep_commands(netns_list: &str, links: &str, alive: impl Fn(u32) -> bool) -> Vec<Vec<String>> {
    let mut cmds = Vec::new();
    for name in netns_list.lines().filter_map(|l| l.split_whitespace().next()) {
        if let Some(pid) = name.strip_prefix(NS_PREFIX).and_then(|p| p.parse::<u32>().ok()) {
            if !alive(pid) {
                cmds.push(line(&["ip", "netns", "del", name]));
            }
        }
    }
    // `12: qarb4242r@if11: <BROADCAST,…` → qarb4242r
    for l in links.lines() {
        let Some(name) = l.split(": ").nth(1).map(|s| s.split('@').next().unwrap_or(s)) else { continue };
        let Some(pid) = name.strip_prefix(VETH_PREFIX).and_then(|s| s.strip_suffix('r')).and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if !alive(pid) {
            cmds.push(line(&["ip", "link", "del", name]));
        }
    }
    cmds
}

/// Runs one command line, failing with what it printed.
pub fn run(cmd: &[String]) -> anyhow::Result<String> {
    let out = std::process::Command::new(&cmd[0])
        .args(&cmd[1..])
        .output()
        .map_err(|e| anyhow::anyhow!("could not run `{}`: {e}", cmd.join(" ")))?;
    if !out.status.success() {
        anyhow::bail!("`{}` failed: {}", cmd.join(" "), String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::profiles::{TETHER, WIFI};

    fn joined(cmds: &[Vec<String>]) -> Vec<String> {
        cmds.iter().map(|c| c.join(" ")).collect()
    }

    #[test]
    fn names_come_from_the_pid() {
        let n = Names::for_pid(4242);
        assert_eq!((n.ns.as_str(), n.veth_root.as_str(), n.veth_ns.as_str()), ("qarb-4242", "qarb4242r", "qarb4242n"));
        // 4242 = 66·64 + 18: subnet 10.201.66.72/30.
        assert_eq!((n.root_ip, n.ns_ip), (Ipv4Addr::new(10, 201, 66, 73), Ipv4Addr::new(10, 201, 66, 74)));
        let top = Names::for_pid(4_194_303); // the largest pid Linux hands out
        assert!(top.veth_root.len() <= 15, "interface names are at most 15 bytes");
        assert_eq!(top.ns_ip, Ipv4Addr::new(10, 201, 255, 254));
    }

    #[test]
    fn wifi_link_is_built_with_these_commands() {
        let n = Names::for_pid(4242);
        assert_eq!(
            joined(&setup_commands(&n, &WIFI)),
            vec![
                "ip netns add qarb-4242",
                "ip link add qarb4242r type veth peer name qarb4242n",
                "ip link set qarb4242n netns qarb-4242",
                "ip addr add 10.201.66.73/30 dev qarb4242r",
                "ip link set qarb4242r up",
                "ip -n qarb-4242 addr add 10.201.66.74/30 dev qarb4242n",
                "ip -n qarb-4242 link set qarb4242n up",
                "ip -n qarb-4242 link set lo up",
                "tc qdisc add dev qarb4242r root tbf rate 10000000bit burst 12500 limit 33554432",
                "tc -n qarb-4242 qdisc add dev qarb4242n root tbf rate 10000000bit burst 12500 limit 33554432",
            ]
        );
        assert_eq!(joined(&teardown_commands(&n)), vec!["ip netns del qarb-4242", "ip link del qarb4242r"]);
    }

    #[test]
    fn tether_bucket_still_holds_two_frames() {
        // 1.5 Mbit/s is 1,875 B in 10 ms: less than two frames, so the floor applies.
        assert_eq!(tbf_args(&TETHER).join(" "), "tbf rate 1500000bit burst 3028 limit 33554432");
    }

    #[test]
    fn sweep_removes_only_what_dead_runs_left() {
        let netns = "qarb-100 (id: 3)\nqarb-200\nother-ns (id: 1)\nqarb-x\n";
        let links = "1: lo: <LOOPBACK,UP> mtu 65536\n\
                     7: qarb100r@if6: <BROADCAST,MULTICAST,UP> mtu 1500\n\
                     9: qarb300r@if8: <BROADCAST,MULTICAST> mtu 1500\n\
                     11: qarb200r@if10: <BROADCAST> mtu 1500\n\
                     12: eth0@if13: <BROADCAST> mtu 1500\n";
        let alive = |pid| pid == 200;
        assert_eq!(
            joined(&sweep_commands(netns, links, alive)),
            vec!["ip netns del qarb-100", "ip link del qarb100r", "ip link del qarb300r"]
        );
    }
}
