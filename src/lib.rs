//! milvet: a linter and fixer for Docker Compose deployments of the Milvus vector database.
//!
//! The pipeline, one module a stage: YAML text ([`source`]) → span tree ([`yaml`]) → Compose
//! model ([`compose`]) → what etcd and MinIO make of it ([`stack`]) → rules ([`rules`]) →
//! diagnostics → report ([`report`]). [`check`] drives it over files and directories. The host
//! files services bind-mount where their programs read a configuration are read with the
//! project ([`mounted`]); [`milvus`] is the configuration Milvus runs with, from those files
//! and its environment.

pub mod alloc;
pub mod check;
pub mod compose;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod fix;
pub mod fs_cache;
pub mod inspect;
pub mod milvus;
pub mod mounted;
pub mod project;
pub mod report;
pub mod rules;
pub mod source;
pub mod stack;
pub mod statistics;
pub mod suppress;
pub mod yaml;
