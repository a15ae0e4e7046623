//! How many containers a service runs and the resources it is given, where Compose lets one
//! thing be written in two places: `scale` and `deploy.replicas`, `cpus` and
//! `deploy.resources.limits.cpus`, `mem_limit` and `...limits.memory`, `mem_reservation` and
//! `...reservations.memory`, `pids_limit` and `...limits.pids`. compose-go (`checkConsistency`
//! in `loader/validate.go`) refuses a project where the two places of one setting differ, a
//! negative `scale` or `deploy.replicas`, and a `container_name` on a service with more than
//! one container.

use super::{Origin, Text, number};

/// The values as written (each interpolated); `None` where not written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sizing {
    pub scale: Option<Text>,
    pub replicas: Option<Text>,
    pub cpus: Option<Text>,
    pub limit_cpus: Option<Text>,
    pub mem_limit: Option<Text>,
    pub limit_memory: Option<Text>,
    pub mem_reservation: Option<Text>,
    pub reservation_memory: Option<Text>,
    pub pids_limit: Option<Text>,
    pub limit_pids: Option<Text>,
    /// Where `deploy.resources.limits` and `deploy.resources.reservations` are written, when
    /// they are: a setting missing from one written is zero there, and compared as such.
    pub limits: Option<Origin>,
    pub reservations: Option<Origin>,
}

/// One setting Compose reads in two places.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Twin {
    Replicas,
    Cpus,
    MemLimit,
    MemReservation,
    PidsLimit,
}

impl Twin {
    pub const ALL: [Twin; 5] = [
        Twin::Replicas,
        Twin::Cpus,
        Twin::MemLimit,
        Twin::MemReservation,
        Twin::PidsLimit,
    ];

    /// The service attribute and the `deploy` one, as Compose names them.
    pub fn keys(self) -> (&'static str, &'static str) {
        match self {
            Twin::Replicas => ("scale", "deploy.replicas"),
            Twin::Cpus => ("cpus", "deploy.resources.limits.cpus"),
            Twin::MemLimit => ("mem_limit", "deploy.resources.limits.memory"),
            Twin::MemReservation => ("mem_reservation", "deploy.resources.reservations.memory"),
            Twin::PidsLimit => ("pids_limit", "deploy.resources.limits.pids"),
        }
    }
}

impl Sizing {
    pub fn is_empty(&self) -> bool {
        *self == Sizing::default()
    }

    /// The two places of `twin`.
    pub fn pair(&self, twin: Twin) -> (Option<&Text>, Option<&Text>) {
        match twin {
            Twin::Replicas => (self.scale.as_ref(), self.replicas.as_ref()),
            Twin::Cpus => (self.cpus.as_ref(), self.limit_cpus.as_ref()),
            Twin::MemLimit => (self.mem_limit.as_ref(), self.limit_memory.as_ref()),
            Twin::MemReservation => (
                self.mem_reservation.as_ref(),
                self.reservation_memory.as_ref(),
            ),
            Twin::PidsLimit => (self.pids_limit.as_ref(), self.limit_pids.as_ref()),
        }
    }

    /// The service attribute of `twin` and the `deploy` side, with values Compose reads as
    /// different, so the project is refused ("can't set distinct values on ..."): the
    /// `deploy` value, if written, and where it is (or the `limits`/`reservations` mapping
    /// that lacks it, where it is zero). compose-go compares only when the service
    /// attribute is not zero and the `deploy` mapping is written (`scale` with
    /// `deploy.replicas`). A value that cannot be read as the setting's type is refused for
    /// that reason instead, and gives `None` here.
    pub fn distinct(&self, twin: Twin) -> Option<(&Text, Option<&Text>, Origin)> {
        let (a, b) = self.pair(twin);
        let a = a?;
        let holder = match twin {
            Twin::Replicas => None,
            Twin::MemReservation => self.reservations,
            _ => self.limits,
        };
        let at = b.map(|b| b.place()).or(holder)?;
        let differ = match twin {
            Twin::Replicas => integer(a)? != integer(b?)?,
            Twin::Cpus => {
                let x = float(a)?;
                x != 0.0 && x != b.map_or(Some(0.0), float)?
            }
            Twin::MemLimit | Twin::MemReservation => {
                let x = bytes(a)?;
                x != 0 && x != b.map_or(Some(0), bytes)?
            }
            Twin::PidsLimit => {
                let x = integer(a)?;
                x != 0 && x != b.map_or(Some(0), integer)?
            }
        };
        differ.then_some((a, b, at))
    }

    /// The number of containers, as Compose decides it: `scale`, else `deploy.replicas`,
    /// else one. `None` when the deciding value is not an integer.
    pub fn containers(&self) -> Option<(i64, Option<&Text>)> {
        match self.scale.as_ref().or(self.replicas.as_ref()) {
            Some(t) => Some((integer(t)?, Some(t))),
            None => Some((1, None)),
        }
    }
}

/// An override's values over the base's, key by key; `!reset` on an attribute (or on
/// `deploy`) drops the base's.
pub fn merge(
    b: Option<Box<Sizing>>,
    o: Option<Box<Sizing>>,
    reset: &dyn Fn(&str) -> bool,
) -> Option<Box<Sizing>> {
    let b = b.map(|b| *b).unwrap_or_default();
    let o = o.map(|o| *o).unwrap_or_default();
    let pick =
        |o: Option<Text>, b: Option<Text>, key: &str| o.or(if reset(key) { None } else { b });
    let s = Sizing {
        scale: pick(o.scale, b.scale, "scale"),
        replicas: pick(o.replicas, b.replicas, "deploy"),
        cpus: pick(o.cpus, b.cpus, "cpus"),
        limit_cpus: pick(o.limit_cpus, b.limit_cpus, "deploy"),
        mem_limit: pick(o.mem_limit, b.mem_limit, "mem_limit"),
        limit_memory: pick(o.limit_memory, b.limit_memory, "deploy"),
        mem_reservation: pick(o.mem_reservation, b.mem_reservation, "mem_reservation"),
        reservation_memory: pick(o.reservation_memory, b.reservation_memory, "deploy"),
        pids_limit: pick(o.pids_limit, b.pids_limit, "pids_limit"),
        limit_pids: pick(o.limit_pids, b.limit_pids, "deploy"),
        limits: o.limits.or(if reset("deploy") { None } else { b.limits }),
        reservations: o.reservations.or(if reset("deploy") {
            None
        } else {
            b.reservations
        }),
    };
    (!s.is_empty()).then(|| Box::new(s))
}

/// The text compose-go converts: a plain YAML number as YAML reads it, an interpolated value
/// as the string it is.
fn typed(t: &Text) -> String {
    if t.vars.is_empty() {
        number::plain_value(&t.value).unwrap_or_else(|| t.value.clone())
    } else {
        t.value.clone()
    }
}

/// An integer as compose-go reads one (a YAML integer, or a string cast with `strconv.Atoi`).
pub fn integer(t: &Text) -> Option<i64> {
    typed(t).parse().ok()
}

/// A number of CPUs, as a Go `float32` (both places are compared as one).
pub fn float(t: &Text) -> Option<f32> {
    typed(t).parse().ok()
}

/// A size in bytes as compose-go reads one: a YAML integer, or a string read by docker/go-units'
/// `RAMInBytes` (`1g`, `512m`, `.5g`, `1.5GiB`, binary multiples).
pub fn bytes(t: &Text) -> Option<i64> {
    if let Ok(i) = typed(t).parse() {
        return Some(i);
    }
    super::number::ram_in_bytes(&t.value)
}
