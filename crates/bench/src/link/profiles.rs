//! The links a reviewer really syncs over (issue 25): a school's guest Wi-Fi and a phone tether.
//! Rates and round trips are the issue's; the proxy adds the delay and the loss, `tbf` the rate.

use std::time::Duration;

/// Linux's minimum retransmission timeout (`TCP_RTO_MIN`): a tail loss waits this long on top
/// of the smoothed round trip before the segment is sent again.
pub const RTO_MIN: Duration = Duration::from_millis(200);

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Profile {
    /// The value of `--link`.
    pub key: &'static str,
    /// How a reviewer would name it, for row names.
    pub label: &'static str,
    /// Each direction's rate in bit/s (shaped by `tbf` on both ends of the veth pair).
    pub rate_bit_s: u64,
    /// Round trip the proxy adds (half in each direction).
    pub rtt: Duration,
    /// Share of MSS-sized segments lost in each direction.
    pub loss: f64,
    /// Largest `--n` run over this link: a first sync is ~2.5 KB a note each way, so 10,000
    /// notes over the tether would take minutes per pass and say nothing more than 1,000 do.
    pub max_n: usize,
    /// Largest `--reps` over this link (each rep costs a few round trips).
    pub max_reps: usize,
}

pub const WIFI: Profile = Profile {
    key: "wifi",
    label: "school Wi-Fi",
    rate_bit_s: 10_000_000,
    rtt: Duration::from_millis(40),
    loss: 0.0,
    max_n: 5_000,
    max_reps: 100,
};

pub const TETHER: Profile = Profile {
    key: "tether",
    label: "a phone tether",
    rate_bit_s: 1_500_000,
    rtt: Duration::from_millis(150),
    loss: 0.01,
    max_n: 1_000,
    max_reps: 50,
};

impl Profile {
    /// `--link` values; `none` is loopback.
    pub fn by_key(key: &str) -> anyhow::Result<Option<Profile>> {
        match key {
            "none" | "loopback" => Ok(None),
            "wifi" => Ok(Some(WIFI)),
            "tether" => Ok(Some(TETHER)),
            other => anyhow::bail!("unknown link {other:?}: --link takes none, wifi or tether"),
        }
    }

    /// "school Wi-Fi (10 Mbit/s, 40 ms)", "a phone tether (1.5 Mbit/s, 150 ms, 1% loss)".
    pub fn describe(&self) -> String {
        let rate = self.rate_bit_s as f64 / 1e6;
        let loss = if self.loss > 0.0 { format!(", {}% loss", self.loss * 100.0) } else { String::new() };
        format!("{} ({rate} Mbit/s, {} ms{loss})", self.label, self.rtt.as_millis())
    }

    /// The suffix of every row measured over this link.
    pub fn row_suffix(&self) -> String {
        format!(" over {}", self.describe())
    }

    /// Each direction's delay at the proxy.
    pub fn one_way(&self) -> Duration {
        self.rtt / 2
    }

    /// The goal for one edit reaching a colleague: two round trips and 20 ms.
    pub fn live_goal_ms(&self) -> f64 {
        2.0 * self.rtt.as_secs_f64() * 1000.0 + 20.0
    }
}

/// The row suffix for an optional link (nothing on loopback).
pub fn suffix(link: Option<&Profile>) -> String {
    link.map_or_else(String::new, Profile::row_suffix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_are_named_as_rows_show_them() {
        assert_eq!(WIFI.describe(), "school Wi-Fi (10 Mbit/s, 40 ms)");
        assert_eq!(TETHER.describe(), "a phone tether (1.5 Mbit/s, 150 ms, 1% loss)");
        assert_eq!(WIFI.live_goal_ms(), 100.0);
        assert_eq!(Profile::by_key("none").unwrap(), None);
        assert_eq!(Profile::by_key("tether").unwrap(), Some(TETHER));
        assert!(Profile::by_key("dial-up").unwrap_err().to_string().contains("none, wifi or tether"));
    }
}
