//! The chain a connector config names, built and applied as Kafka Connect builds and
//! applies it: transforms in the order of `transforms`, each run only when its predicate
//! (if any) holds (`negate` inverts it), a null result dropping the record.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::error::{ConfigError, Failure, TransformError};
use crate::predicates::{self, Predicate};
use crate::props::Props;
use crate::record::ConnectRecord;
use crate::transforms::{self, Transform};

/// One transform with its optional predicate.
struct Stage {
    alias: String,
    class: &'static str,
    transform: Box<dyn Transform>,
    predicate: Option<(Arc<dyn Predicate>, bool)>,
}

/// A connector's transforms, ready to apply.
pub struct Chain {
    stages: Vec<Stage>,
}

impl std::fmt::Debug for Chain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let aliases: Vec<&str> = self.stages.iter().map(|s| s.alias.as_str()).collect();
        f.debug_struct("Chain")
            .field("transforms", &aliases)
            .finish()
    }
}

/// `transforms` or `predicates`: aliases, comma-separated, no duplicates.
fn aliases(
    props: &BTreeMap<String, String>,
    key: &str,
    errors: &mut Vec<ConfigError>,
) -> Vec<String> {
    let Some(v) = props.get(key).map(|v| v.trim()).filter(|v| !v.is_empty()) else {
        return Vec::new();
    };
    let list: Vec<String> = v.split(',').map(|a| a.trim().to_owned()).collect();
    let mut seen = Vec::new();
    for a in &list {
        if seen.contains(a) {
            errors.push(ConfigError {
                key: key.into(),
                message: format!(
                    "Invalid value [{}] for configuration {key}: Duplicate alias provided.",
                    list.join(", ")
                ),
            });
            return Vec::new();
        }
        seen.push(a.clone());
    }
    list
}

impl Chain {
    /// No transforms: records pass as they are.
    pub fn empty() -> Chain {
        Chain { stages: Vec::new() }
    }

    /// The chain a connector config names; every bad key is named, with Kafka Connect's
    /// message where it has one.
    pub fn from_config(props: &BTreeMap<String, String>) -> Result<Chain, Vec<ConfigError>> {
        let mut errors = Vec::new();
        let mut built_predicates = BTreeMap::new();
        for alias in aliases(props, "predicates", &mut errors) {
            let prefix = format!("predicates.{alias}.");
            let mut p = Props::new(&prefix, props, &mut errors);
            let Some(class) = p.required("type") else {
                continue;
            };
            match predicates::build(&class, &mut p) {
                Some(Some(pred)) => {
                    built_predicates.insert(alias, pred);
                }
                Some(None) => {}
                None => p.invalid(
                    "type",
                    &class,
                    &format!("Class {class} could not be found."),
                ),
            }
        }
        let mut stages = Vec::new();
        for alias in aliases(props, "transforms", &mut errors) {
            let prefix = format!("transforms.{alias}.");
            let mut p = Props::new(&prefix, props, &mut errors);
            let predicate = p.string("predicate").filter(|s| !s.is_empty());
            let negate = p.boolean("negate", false);
            if p.string("negate").is_some() && predicate.is_none() {
                p.error(
                    "negate",
                    format!("Config '{prefix}negate' was provided but there is no config '{prefix}predicate' defining a predicate to be negated."),
                );
            }
            let Some(class) = p.required("type") else {
                continue;
            };
            let transform = match transforms::build(&class, &mut p) {
                Ok(Some(t)) => t,
                Ok(None) => continue,
                Err(why) => {
                    p.invalid("type", &class, &why);
                    continue;
                }
            };
            let predicate = match predicate {
                None => None,
                Some(name) => match built_predicates.get(&name) {
                    Some(pred) => Some((Arc::clone(pred), negate)),
                    // Connect finds this only when the task starts; here it is named at once.
                    None => {
                        p.error(
                            "predicate",
                            format!("Unknown configuration 'predicates.{name}.type': {name} is not in predicates"),
                        );
                        continue;
                    }
                },
            };
            stages.push(Stage {
                alias,
                class: transform.class(),
                transform,
                predicate,
            });
        }
        if errors.is_empty() {
            Ok(Chain { stages })
        } else {
            Err(errors)
        }
    }

    /// Whether there is nothing to apply.
    pub fn is_empty(&self) -> bool {
        self.stages.is_empty()
    }

    /// Runs `record` through the chain: `Ok(None)` when a transform dropped it.
    pub fn apply(
        &self,
        mut record: ConnectRecord,
    ) -> Result<Option<ConnectRecord>, TransformError> {
        for s in &self.stages {
            let failed = |f: Failure| TransformError {
                class: s.class,
                exception: f.exception,
                message: f.message,
            };
            if let Some((p, negate)) = &s.predicate {
                // The predicate sees the record as the stages before made it.
                if p.test(&record).map_err(failed)? == *negate {
                    continue;
                }
            }
            match s.transform.apply(record).map_err(failed)? {
                Some(r) => record = r,
                None => return Ok(None),
            }
        }
        Ok(Some(record))
    }
}
