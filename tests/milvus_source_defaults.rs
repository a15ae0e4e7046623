//! The literal defaults the generator of `rules/data/milvus-keys-source.txt` reads from a
//! release's paramtable source, and what the compiled tables make of them.

use milvet::milvus::schema::source_defaults;

#[test]
fn literal_defaults_are_read_from_both_source_styles() {
    let go = r#"
func (p *EtcdConfig) initDataDir() {
	addr := p.Base.LoadWithDefault("etcd.data.dir", "default.etcd")
	p.DataDir = addr
}

func (p *EtcdConfig) initEndpoints() {
	endpoints := p.Base.LoadWithDefault("etcd.endpoints", DefaultEtcdEndpoints)
}

func (p *dataCoordConfig) init(base *BaseTable) {
	p.GCRemoveConcurrent = ParamItem{
		Key:          "dataCoord.gc.removeConcurrent",
		Version:      "2.3.4",
		DefaultValue: "32",
		Doc:          "number of concurrent goroutines to remove dropped s3 objects",
	}
	p.MaxConnections = ParamItem{
		Key:          "minio.maxConnections",
		DefaultValue: DefaultMinioMaxConnections,
	}
	p.Prefixed = ParamItem{
		Key:          "common.prefix",
		DefaultValue: "by-dev" + suffix,
	}
	p.ConfigPath = ParamItem{
		Key:     "etcd.config.path",
		Version: "2.1.0",
	}
	p.Empty = ParamItem{
		Key:          "autoIndex.type",
		DefaultValue: "",
	}
}
"#;
    assert_eq!(
        source_defaults(go),
        vec![
            ("etcd.data.dir".to_string(), "default.etcd".to_string()),
            (
                "dataCoord.gc.removeConcurrent".to_string(),
                "32".to_string()
            ),
            ("autoIndex.type".to_string(), String::new()),
        ]
    );
}

#[test]
fn a_key_only_the_source_names_has_its_release_default() {
    let line = milvet::milvus::schema::lines()
        .iter()
        .find(|l| l.name == "2.0")
        .expect("the 2.0 line");
    let key = line.get("etcd.data.dir").expect("2.0 reads etcd.data.dir");
    assert!(!key.written, "2.0's milvus.yaml does not write it");
    assert_eq!(key.default, Some("default.etcd"));
    let line = milvet::milvus::schema::lines()
        .iter()
        .find(|l| l.name == "2.6")
        .expect("the 2.6 line");
    // A default that is not a literal in the source stays unknown.
    assert_eq!(
        line.get("minio.maxConnections").and_then(|k| k.default),
        None
    );
}
