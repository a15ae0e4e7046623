//! Merging Compose models as Docker Compose merges files: an override file, the next document
//! of a file, an `extends` base.
//!
//! Mappings merge key by key, the later value winning; `command` and `entrypoint` are replaced;
//! `environment` merges by variable name; mounts merge by target; `depends_on` by service name;
//! `profiles` are a union. An attribute tagged `!reset` in the later model removes the earlier
//! one; `!override` replaces it without merging (compose-spec, 13-merge.md).

use super::{
    ComposeFile, ContentDecl, Dependency, Environment, Field, MergeTag, Mount, Resource, Service,
    Text, VolumeDecl,
};
use std::collections::{HashMap, HashSet};

/// `overlay` merged onto `base`.
pub fn merge(base: ComposeFile, overlay: ComposeFile) -> ComposeFile {
    let mut out = Merged::new(base);
    out.add(overlay);
    out.finish()
}

/// Models merged in order, each onto the ones before (the documents of a file); `None` for
/// none. Services and volumes are found by name through an index kept across the whole
/// fold, so that many documents cost time in proportion to their size.
pub fn merge_all(models: impl IntoIterator<Item = ComposeFile>) -> Option<ComposeFile> {
    let mut models = models.into_iter();
    let mut out = Merged::new(models.next()?);
    for m in models {
        out.add(m);
    }
    Some(out.finish())
}

/// A merge under way.
struct Merged {
    /// The model so far, without its services and volumes (they are below).
    base: ComposeFile,
    /// Services in merge order (`None` only while one is being merged).
    services: Vec<Option<Service>>,
    service_at: HashMap<String, usize>,
    /// Volumes in merge order; a redeclared volume leaves a hole where it was and goes last.
    volumes: Vec<Option<VolumeDecl>>,
    volume_at: HashMap<String, usize>,
    /// The top-level networks, secrets and configs declared so far, by kind and name.
    declared: HashSet<(Resource, String)>,
}

impl Merged {
    fn new(mut base: ComposeFile) -> Merged {
        let services = std::mem::take(&mut base.services);
        let volumes = std::mem::take(&mut base.volumes);
        let mut out = Merged {
            base,
            services: Vec::new(),
            service_at: HashMap::with_capacity(services.len()),
            volumes: Vec::with_capacity(volumes.len()),
            volume_at: HashMap::with_capacity(volumes.len()),
            declared: HashSet::new(),
        };
        let declared = std::mem::take(&mut out.base.declared);
        for d in declared {
            out.declare(d);
        }
        for c in std::mem::take(&mut out.base.contents) {
            out.content(c);
        }
        // The base's own services are kept as they are, a repeated name included (only the
        // first of them takes later definitions, as before).
        // Collected in place (an `Option<Service>` is as large as a `Service`): a file of
        // many services is not held twice.
        let many = services.len() >= SHRUNK_FROM;
        out.services = services
            .into_iter()
            .map(|mut s| {
                if many {
                    s.shrink_to_fit();
                }
                Some(s)
            })
            .collect();
        for (i, s) in out.services.iter().enumerate() {
            if let Some(s) = s {
                out.service_at.entry(s.name.value.clone()).or_insert(i);
            }
        }
        for v in volumes {
            out.volume(v);
        }
        out
    }

    fn service(&mut self, o: Service) {
        match self.service_at.get(&o.name.value) {
            Some(&i) => {
                let merged = match self.services[i].take() {
                    // `!override` on the whole service replaces the earlier one.
                    Some(_) if o.tag == Some(MergeTag::Override) => o,
                    Some(b) => merge_service(b, o),
                    None => o,
                };
                self.services[i] = Some(merged);
            }
            None => {
                self.service_at
                    .insert(o.name.value.clone(), self.services.len());
                self.services.push(Some(o));
            }
        }
    }

    fn volume(&mut self, v: VolumeDecl) {
        if let Some(i) = self
            .volume_at
            .insert(v.name.value.clone(), self.volumes.len())
        {
            self.volumes[i] = None;
        }
        self.volumes.push(Some(v));
    }

    fn declare(&mut self, d: (Resource, Text)) {
        if self.declared.insert((d.0, d.1.value.clone())) {
            self.base.declared.push(d);
        }
    }

    /// A secret or config declaration, merged onto an earlier one of the same name.
    fn content(&mut self, c: ContentDecl) {
        let contents = &mut self.base.contents;
        match contents
            .iter()
            .position(|b| b.kind == c.kind && b.name.value == c.name.value)
        {
            Some(i) => {
                let b = contents.remove(i);
                contents.insert(i, b.merged(c));
            }
            None => contents.push(c),
        }
    }

    fn add(&mut self, overlay: ComposeFile) {
        // Many services in all: those of many documents of a few services each count too.
        let many = self.services.len() + overlay.services.len() >= SHRUNK_FROM;
        for name in &overlay.reset_services {
            if let Some(i) = self.service_at.remove(name) {
                self.services[i] = None;
            }
        }
        for (kind, name) in &overlay.reset_declared {
            self.declared.remove(&(*kind, name.clone()));
            self.base
                .declared
                .retain(|(k, n)| !(k == kind && n.value == *name));
            self.base
                .contents
                .retain(|c| !(c.kind == *kind && c.name.value == *name));
        }
        for mut o in overlay.services {
            if many {
                o.shrink_to_fit();
            }
            self.service(o);
        }
        for v in overlay.volumes {
            self.volume(v);
        }
        self.base.problems.extend(overlay.problems);
        self.base.includes.extend(overlay.includes);
        self.base.roots.extend(overlay.roots);
        for d in overlay.declared {
            self.declare(d);
        }
        for c in overlay.contents {
            self.content(c);
        }
        for n in overlay.shared_networks {
            if !self.base.shared_networks.contains(&n) {
                self.base.shared_networks.push(n);
            }
        }
    }

    // `filter_map` collects in place, where `flatten` copies: a file of many services is not
    // held twice.
    #[allow(clippy::filter_map_identity)]
    fn finish(mut self) -> ComposeFile {
        self.base.services = self.services.into_iter().filter_map(|s| s).collect();
        self.base.volumes = self.volumes.into_iter().flatten().collect();
        self.base
    }
}

/// The number of services of a model (a document, or the documents merged so far and the next)
/// from which each gives back the room its vectors keep to spare (in a few, it is little, and
/// giving it back costs more than it saves).
const SHRUNK_FROM: usize = 64;

impl Service {
    /// Give back the room its vectors keep to spare (four entries at least each, once one is
    /// pushed): a file may hold thousands of services.
    fn shrink_to_fit(&mut self) {
        self.environment.vars.shrink_to_fit();
        for c in [&mut self.command, &mut self.entrypoint]
            .into_iter()
            .flatten()
        {
            c.args.shrink_to_fit();
        }
        self.mounts.shrink_to_fit();
        self.ports.shrink_to_fit();
        self.depends_on.shrink_to_fit();
        self.volumes_from.shrink_to_fit();
        self.profiles.shrink_to_fit();
        self.env_files.shrink_to_fit();
        self.label_files.shrink_to_fit();
        self.fields.shrink_to_fit();
        self.defs.shrink_to_fit();
        self.references.shrink_to_fit();
    }
}

/// The merge tag on attribute `name` among a definition's fields.
fn tag(fields: &[(String, Field)], name: &str) -> Option<MergeTag> {
    fields
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .and_then(|(_, f)| f.tag)
}

fn has(fields: &[(String, Field)], name: &str) -> bool {
    fields.iter().any(|(n, _)| n == name)
}

/// Service `o` (later) merged onto service `b` (earlier).
pub fn merge_service(b: Service, o: Service) -> Service {
    let of = o.fields.clone();
    let bf = b.fields.clone();
    let replaced =
        |name: &str| matches!(tag(&of, name), Some(MergeTag::Reset | MergeTag::Override));
    let reset = |name: &str| tag(&of, name) == Some(MergeTag::Reset);
    let mounts = merge_mounts(&b, &o);
    let environment = if replaced("environment") || !has(&bf, "environment") {
        if has(&of, "environment") {
            o.environment
        } else {
            b.environment
        }
    } else if has(&of, "environment") {
        merge_env(b.environment, o.environment)
    } else {
        b.environment
    };
    let depends_on = if replaced("depends_on") {
        o.depends_on
    } else {
        let mut d: Vec<Dependency> = b
            .depends_on
            .into_iter()
            .filter(|x| {
                !o.depends_on
                    .iter()
                    .any(|y| y.service.value == x.service.value)
            })
            .collect();
        d.extend(o.depends_on);
        d
    };
    let mut profiles = if replaced("profiles") {
        Vec::new()
    } else {
        b.profiles
    };
    for p in o.profiles {
        if !profiles.iter().any(|x| x.value == p.value) {
            profiles.push(p);
        }
    }
    let healthcheck = match (b.healthcheck, o.healthcheck) {
        (_, Some(h)) if replaced("healthcheck") => Some(h),
        (Some(bh), Some(oh)) => Some(Box::new(super::Healthcheck {
            test_list: if oh.test.is_empty() {
                bh.test_list
            } else {
                oh.test_list
            },
            test: if oh.test.is_empty() { bh.test } else { oh.test },
            disable: oh.disable,
            interval: oh.interval.or(bh.interval),
            timeout: oh.timeout.or(bh.timeout),
            retries: oh.retries.or(bh.retries),
            start_period: oh.start_period.or(bh.start_period),
            origin: oh.origin,
        })),
        (b, o) => o.or(b),
    };
    let mut env_files = if replaced("env_file") {
        Vec::new()
    } else {
        b.env_files
    };
    env_files.extend(o.env_files);
    let mut label_files = if replaced("label_file") {
        Vec::new()
    } else {
        b.label_files
    };
    label_files.extend(o.label_files);
    let mut fields: Vec<(String, Field)> = bf;
    fields.extend(of.iter().cloned());
    let mut defs = b.defs;
    defs.extend(o.defs);
    let references = {
        let mut r: Vec<_> = Resource::NAMED
            .iter()
            .flat_map(|&kind| {
                let key = kind.key();
                let from_o: Vec<_> = o
                    .references
                    .iter()
                    .filter(|(k, _)| *k == kind)
                    .cloned()
                    .collect();
                if replaced(key) {
                    from_o
                } else {
                    let mut v: Vec<_> = b
                        .references
                        .iter()
                        .filter(|(k, _)| *k == kind)
                        .cloned()
                        .collect();
                    for x in from_o {
                        if !v.iter().any(|(_, t)| t.value == x.1.value) {
                            v.push(x);
                        }
                    }
                    v
                }
            })
            .collect();
        r.dedup();
        r
    };
    Service {
        name: b.name,
        node: b.node,
        alias: b.alias,
        origin: b.origin,
        image: o.image.or(if reset("image") { None } else { b.image }),
        environment,
        command: o
            .command
            .or(if reset("command") { None } else { b.command }),
        entrypoint: o.entrypoint.or(if reset("entrypoint") {
            None
        } else {
            b.entrypoint
        }),
        mounts,
        device_conflicts: {
            let mut d = b.device_conflicts;
            d.extend(o.device_conflicts);
            d
        },
        ports: if replaced("ports") {
            o.ports
        } else {
            // Compose appends the override's ports, an identical one once.
            let mut p = b.ports;
            for x in o.ports {
                if !p.iter().any(|y| {
                    (&y.host_ip, &y.published, &y.target) == (&x.host_ip, &x.published, &x.target)
                }) {
                    p.push(x);
                }
            }
            p
        },
        volumes_field: o.volumes_field.or(b.volumes_field),
        healthcheck,
        restart: o
            .restart
            .or(if reset("restart") { None } else { b.restart }),
        deploy_restart: o.deploy_restart.or(if reset("deploy") {
            None
        } else {
            b.deploy_restart
        }),
        sizing: super::sizing::merge(b.sizing, o.sizing, &reset),
        depends_on,
        platform: o
            .platform
            .or(if reset("platform") { None } else { b.platform }),
        container_name: o.container_name.or(if reset("container_name") {
            None
        } else {
            b.container_name
        }),
        volumes_from: if replaced("volumes_from") {
            o.volumes_from
        } else {
            let mut v = b.volumes_from;
            for x in o.volumes_from {
                if !v.iter().any(|y| y.value == x.value) {
                    v.push(x);
                }
            }
            v
        },
        working_dir: o.working_dir.or(if reset("working_dir") {
            None
        } else {
            b.working_dir
        }),
        profiles,
        env_files,
        label_files,
        extends: o.extends.or(b.extends),
        fields,
        defs,
        references,
        net: super::network::merge(b.net, o.net, &of),
        build: super::build::merge_build(b.build, o.build, tag(&of, "build")),
        develop: super::build::merge_develop(b.develop, o.develop, tag(&of, "develop")),
        tag: o.tag,
    }
}

fn merge_env(b: Environment, o: Environment) -> Environment {
    let mut vars: Vec<_> = b
        .vars
        .into_iter()
        .filter(|v| !o.vars.iter().any(|x| x.name.value == v.name.value))
        .collect();
    vars.extend(o.vars);
    Environment { vars, ..o }
}

/// Mounts merged by target; `!reset` or `!override` on `volumes` or `tmpfs` drops the earlier
/// ones of that key.
fn merge_mounts(b: &Service, o: &Service) -> Vec<Mount> {
    let drop_volumes = matches!(
        tag(&o.fields, "volumes"),
        Some(MergeTag::Reset | MergeTag::Override)
    );
    let drop_tmpfs = matches!(
        tag(&o.fields, "tmpfs"),
        Some(MergeTag::Reset | MergeTag::Override)
    );
    let mut out: Vec<Mount> = b
        .mounts
        .iter()
        .filter(|m| {
            let dropped = if m.from_tmpfs_key {
                drop_tmpfs
            } else {
                drop_volumes
            };
            // `volumes` merge by target, `tmpfs` entries by path, each key on its own (a
            // tmpfs and a volume on one path are both kept, and Compose refuses them).
            !dropped
                && !o.mounts.iter().any(|x| {
                    // (`volumes` by [`Mount::merge_key`]: a long-syntax `/etcd/` does not
                    // replace a `/etcd`, and Compose then refuses the two.)
                    x.from_tmpfs_key == m.from_tmpfs_key
                        && if m.from_tmpfs_key {
                            super::normalize_path(&x.target.value)
                                == super::normalize_path(&m.target.value)
                        } else {
                            x.merge_key() == m.merge_key()
                        }
                })
        })
        .cloned()
        .collect();
    out.extend(o.mounts.iter().cloned());
    out
}
