//! Keeps only the sources the finished brief refers to, renumbered in reading order
//! (`P1` is the first source a reader meets).

use crate::model::{Brief, Source};
use std::collections::HashMap;

/// Keeps only the sources the brief refers to, numbered in reading order.
pub(super) fn renumber_sources(brief: Brief, all: Vec<Source>) -> Brief {
    let Ok(mut v) = serde_json::to_value(&brief) else {
        return brief;
    };
    let mut order: Vec<String> = Vec::new();
    collect_ids(&v, &mut order);
    let map: HashMap<String, String> = order
        .iter()
        .enumerate()
        .map(|(i, old)| (old.clone(), format!("P{}", i + 1)))
        .collect();
    rewrite_ids(&mut v, &map);
    let Ok(mut out) = serde_json::from_value::<Brief>(v) else {
        return brief;
    };
    let by_id: HashMap<&str, &Source> = all.iter().map(|s| (s.id.as_str(), s)).collect();
    out.sources = order
        .iter()
        .filter_map(|old| {
            let s = by_id.get(old.as_str())?;
            Some(Source {
                id: map.get(old).cloned().unwrap_or_default(),
                url: s.url.clone(),
                origins: s.origins.clone(),
            })
        })
        .collect();
    out
}

/// Whether `s` is a source id (`P` followed by digits).
fn is_source_id(s: &str) -> bool {
    s.len() > 1 && s.starts_with('P') && s[1..].bytes().all(|b| b.is_ascii_digit())
}

/// The source ids in `v`, in reading order, each once.
fn collect_ids(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("source_id", serde_json::Value::String(s)) if is_source_id(s) => {
                        if !out.contains(s) {
                            out.push(s.clone());
                        }
                    }
                    ("inputs", serde_json::Value::Array(a)) => {
                        for i in a {
                            if let serde_json::Value::String(s) = i {
                                if is_source_id(s) && !out.contains(s) {
                                    out.push(s.clone());
                                }
                            }
                        }
                    }
                    _ => collect_ids(x, out),
                }
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_ids(x, out)),
        _ => {}
    }
}

/// Replaces the source ids in `v` by their new ids.
fn rewrite_ids(v: &mut serde_json::Value, map: &HashMap<String, String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                match (k.as_str(), x) {
                    ("source_id", serde_json::Value::String(s)) => {
                        if let Some(n) = map.get(s.as_str()) {
                            *s = n.clone();
                        }
                    }
                    ("inputs", serde_json::Value::Array(a)) => {
                        for i in a.iter_mut() {
                            if let serde_json::Value::String(s) = i {
                                if let Some(n) = map.get(s.as_str()) {
                                    *s = n.clone();
                                }
                            }
                        }
                    }
                    (_, x) => rewrite_ids(x, map),
                }
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| rewrite_ids(x, map)),
        _ => {}
    }
}
