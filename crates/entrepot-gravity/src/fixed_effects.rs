//! Recovered fixed effects: typed level keys and the choice of normalisation.
//!
//! After estimation the fixed effects are known only up to shifts that leave every
//! observation's sum `Σ_g α_g[id_g(i)]` unchanged (with two dimensions, a constant added
//! to one and subtracted from the other within each connected component of their
//! bipartite graph). [`FeNormalisation`] chooses the split:
//!
//! * [`FeNormalisation::FirstLevels`] (the default, as before): within each connected
//!   component of the first two dimensions the first level (in order of appearance) of
//!   the second is 0, the first level of each further dimension is 0, and the first
//!   dimension absorbs the shifts;
//! * [`FeNormalisation::Reference`]: a chosen level of a named dimension is 0 in every
//!   connected component, e.g. importer `DEU` in `importer^year` (the structural-gravity
//!   convention of Yotov et al. 2016, where the reference country's inward multilateral
//!   resistance is 1), the shift absorbed by the first other dimension;
//! * [`FeNormalisation::WeightedMeanZero`]: every dimension but the first has a weighted
//!   mean of zero over the estimation sample, the first carries the level.
//!
//! Each level of an interaction `exporter^year` has a typed key [`FeKey`], the value of
//! each component variable (`["ARG", "1986"]`), so callers look effects up with
//! [`crate::Estimate::fixed_effect`] or iterate [`FixedEffectValues::iter`] without
//! splitting the joined label `ARG^1986` (kept in [`FixedEffectValues::levels`]).

use serde::{Deserialize, Serialize};

use crate::error::{GravityError, Result};
use crate::estimate::Estimate;
use crate::sample::Sample;

/// The level of a fixed-effect term as the value of each of its component variables:
/// `["ARG", "1986"]` for the level `ARG^1986` of `exporter^year`, `["DEU"]` for the level
/// `DEU` of `importer`. Values are written as in [`FixedEffectValues::levels`] (numbers
/// in Rust's shortest form, `1986`, `0.5`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FeKey(Vec<String>);

impl FeKey {
    /// A key from the component values, in the order of the term's variables.
    pub fn new(parts: Vec<String>) -> FeKey {
        FeKey(parts)
    }

    /// The component values, in the order of the term's variables.
    pub fn parts(&self) -> &[String] {
        &self.0
    }

    /// The value of component `i` (`0` is the first variable of the term).
    pub fn get(&self, i: usize) -> Option<&str> {
        self.0.get(i).map(String::as_str)
    }

    /// Whether the key equals `parts` component by component.
    pub fn matches<S: AsRef<str>>(&self, parts: &[S]) -> bool {
        self.0.len() == parts.len() && self.0.iter().zip(parts).all(|(a, b)| a == b.as_ref())
    }
}

impl std::fmt::Display for FeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join("^"))
    }
}

/// Estimated fixed effects of one dimension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FixedEffectValues {
    /// The term (`exporter^year`).
    pub name: String,
    /// Level labels (`ARG^1986`), the components joined with `^`.
    pub levels: Vec<String>,
    /// Estimated value of each level (on the linear-predictor scale).
    pub values: Vec<f64>,
    /// The variables of the term (`["exporter", "year"]`).
    #[serde(default)]
    pub components: Vec<String>,
    /// The typed key of each level (`["ARG", "1986"]`), parallel to `levels`.
    #[serde(default)]
    pub keys: Vec<FeKey>,
}

impl FixedEffectValues {
    /// The index of the level whose components are `key` (`&["ARG", "1986"]`). Estimates
    /// deserialised from documents written before typed keys existed are matched on the
    /// joined label.
    pub fn position<S: AsRef<str>>(&self, key: &[S]) -> Option<usize> {
        if self.keys.len() == self.levels.len() {
            return self.keys.iter().position(|k| k.matches(key));
        }
        let joined = key.iter().map(AsRef::as_ref).collect::<Vec<_>>().join("^");
        self.levels.iter().position(|l| *l == joined)
    }

    /// The value of the level whose components are `key`.
    pub fn get<S: AsRef<str>>(&self, key: &[S]) -> Option<f64> {
        self.position(key).map(|i| self.values[i])
    }

    /// The position of the variable `component` in the term (`year` is 1 in
    /// `exporter^year`).
    pub fn component_index(&self, component: &str) -> Option<usize> {
        self.components.iter().position(|c| c == component)
    }

    /// `(key, value)` of every level, in order of appearance.
    pub fn iter(&self) -> impl Iterator<Item = (&FeKey, f64)> + '_ {
        self.keys.iter().zip(self.values.iter().copied())
    }
}

impl Estimate {
    /// The fixed effects of the term `term` (`"exporter^year"`).
    pub fn fixed_effect_values(&self, term: &str) -> Option<&FixedEffectValues> {
        self.fixed_effects.iter().find(|f| f.name == term)
    }

    /// The fixed effect of term `term` at the level whose components are `key`:
    /// `est.fixed_effect("exporter^year", &["ARG", "1986"])`. `None` when the term or the
    /// level is not in the estimation sample.
    pub fn fixed_effect<S: AsRef<str>>(&self, term: &str, key: &[S]) -> Option<f64> {
        self.fixed_effect_values(term)?.get(key)
    }
}

/// How the recovered fixed effects are normalised (see the module docs). Every choice
/// leaves the per-observation sum of the fixed effects, hence the fitted values, the
/// coefficients and their variance, unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeNormalisation {
    /// Within each connected component of the first two dimensions the first level of
    /// the second is 0; the first level of each further dimension is 0; the first
    /// dimension absorbs the shifts (see [`Estimate::fixed_effects`]).
    #[default]
    FirstLevels,
    /// The level of `dimension` whose components listed in `key` take the given values
    /// is 0 in every connected component of `dimension` and the first other dimension,
    /// which absorbs the shift; the other dimensions are as under `FirstLevels`. For
    /// `exporter^year + importer^year`, `dimension = "importer^year"` and
    /// `key = [("importer", "DEU")]` set Germany's importer effect to 0 in every year.
    /// Every connected component must hold exactly one matching level, else estimation
    /// fails with [`GravityError::InvalidSpec`] (before the model is estimated).
    Reference {
        /// The fixed-effect term (`"importer^year"`).
        dimension: String,
        /// `(component variable, value)` pairs the reference level must match.
        key: Vec<(String, String)>,
    },
    /// Every dimension but the first has a weighted mean of zero over the estimation
    /// sample (the user weights, if any); the first dimension carries the level.
    WeightedMeanZero,
}

impl FeNormalisation {
    /// [`FeNormalisation::Reference`] on one component: `reference("importer^year",
    /// "importer", "DEU")`.
    pub fn reference(dimension: &str, component: &str, value: &str) -> FeNormalisation {
        FeNormalisation::Reference {
            dimension: dimension.to_string(),
            key: vec![(component.to_string(), value.to_string())],
        }
    }
}

/// A normalisation resolved against an estimation sample (checked before estimating).
#[derive(Debug, Clone)]
pub(crate) enum NormalisationPlan {
    FirstLevels,
    /// Dimension `dim` is shifted so that `reference[c]` is 0 in each component `c`;
    /// `absorber` takes the opposite shift. `comp_dim[l]` / `comp_absorber[l]`: component
    /// of each level.
    Reference {
        dim: usize,
        absorber: usize,
        comp_dim: Vec<usize>,
        comp_absorber: Vec<usize>,
        reference: Vec<usize>,
    },
    WeightedMeanZero,
}

/// Connected components of the bipartite graph between the levels of two dimensions
/// (observations are edges): the component of each level of `a` and of `b`, numbered
/// from 0, and the number of components.
fn bipartite_components(
    a: &[u32],
    n_a: usize,
    b: &[u32],
    n_b: usize,
) -> (Vec<usize>, Vec<usize>, usize) {
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    let mut parent: Vec<usize> = (0..n_a + n_b).collect();
    for (&i, &j) in a.iter().zip(b) {
        let (ri, rj) = (
            find(&mut parent, i as usize),
            find(&mut parent, n_a + j as usize),
        );
        if ri != rj {
            parent[ri] = rj;
        }
    }
    let mut number = vec![usize::MAX; n_a + n_b];
    let mut count = 0;
    let mut comp = |p: &mut [usize], x: usize| {
        let r = find(p, x);
        if number[r] == usize::MAX {
            number[r] = count;
            count += 1;
        }
        number[r]
    };
    let ca: Vec<usize> = (0..n_a).map(|l| comp(&mut parent, l)).collect();
    let cb: Vec<usize> = (0..n_b).map(|l| comp(&mut parent, n_a + l)).collect();
    (ca, cb, count)
}

impl NormalisationPlan {
    /// Resolves `norm` on the sample `s`: the named dimension and components exist and
    /// every connected component holds exactly one reference level.
    pub(crate) fn new(s: &Sample, norm: &FeNormalisation) -> Result<NormalisationPlan> {
        let (dimension, key) = match norm {
            FeNormalisation::FirstLevels => return Ok(NormalisationPlan::FirstLevels),
            FeNormalisation::WeightedMeanZero => return Ok(NormalisationPlan::WeightedMeanZero),
            FeNormalisation::Reference { dimension, key } => (dimension, key),
        };
        let invalid = |m: String| GravityError::InvalidSpec(m);
        let dim = s
            .fe_names
            .iter()
            .position(|n| n == dimension)
            .ok_or_else(|| {
                invalid(format!(
                    "reference normalisation: `{dimension}` is not a fixed effect of the model ({})",
                    s.fe_names.join(", ")
                ))
            })?;
        if s.fe.n_dims() < 2 {
            return Err(invalid(
                "reference normalisation needs two fixed-effect dimensions (one absorbs the shift)"
                    .into(),
            ));
        }
        let components: Vec<&str> = dimension.split('^').collect();
        let mut wanted: Vec<(usize, &str)> = Vec::new();
        for (name, value) in key {
            let i = components.iter().position(|c| c == name).ok_or_else(|| {
                invalid(format!(
                    "reference normalisation: `{name}` is not a variable of `{dimension}`"
                ))
            })?;
            wanted.push((i, value.as_str()));
        }
        let absorber = if dim == 0 { 1 } else { 0 };
        let (comp_dim, comp_absorber, n_comp) = bipartite_components(
            &s.fe.ids[dim],
            s.fe.n_levels[dim],
            &s.fe.ids[absorber],
            s.fe.n_levels[absorber],
        );
        let mut reference = vec![usize::MAX; n_comp];
        for (l, k) in s.fe_keys[dim].iter().enumerate() {
            if !wanted.iter().all(|&(i, v)| k.get(i) == Some(v)) {
                continue;
            }
            let c = comp_dim[l];
            if reference[c] != usize::MAX {
                return Err(invalid(format!(
                    "reference normalisation: levels {} and {} of `{dimension}` both match and are connected; name more components",
                    s.fe_labels[dim][reference[c]], s.fe_labels[dim][l]
                )));
            }
            reference[c] = l;
        }
        if let Some(c) = reference.iter().position(|&r| r == usize::MAX) {
            let example = comp_dim
                .iter()
                .position(|&k| k == c)
                .map_or(String::new(), |l| s.fe_labels[dim][l].clone());
            return Err(invalid(format!(
                "reference normalisation: no level of `{dimension}` matching {key:?} is connected to level {example}"
            )));
        }
        Ok(NormalisationPlan::Reference {
            dim,
            absorber,
            comp_dim,
            comp_absorber,
            reference,
        })
    }
}

/// Splits the concatenated FE coefficients per dimension, normalises them (first under
/// [`FeNormalisation::FirstLevels`], then as `plan` asks) and attaches labels and keys.
pub(crate) fn recover_fixed_effects(
    s: &Sample,
    fe_alpha: &[f64],
    plan: &NormalisationPlan,
) -> Vec<FixedEffectValues> {
    let fe = &s.fe;
    if fe.n_dims() == 0 {
        return Vec::new();
    }
    let mut vals: Vec<Vec<f64>> = Vec::new();
    let mut off = 0;
    for &l in &fe.n_levels {
        vals.push(fe_alpha[off..off + l].to_vec());
        off += l;
    }
    if fe.n_dims() >= 2 {
        first_levels(s, &mut vals);
    }
    match plan {
        NormalisationPlan::FirstLevels => {}
        NormalisationPlan::Reference {
            dim,
            absorber,
            comp_dim,
            comp_absorber,
            reference,
        } => {
            let shift: Vec<f64> = reference.iter().map(|&r| vals[*dim][r]).collect();
            for (v, &c) in vals[*dim].iter_mut().zip(comp_dim) {
                *v -= shift[c];
            }
            for (v, &c) in vals[*absorber].iter_mut().zip(comp_absorber) {
                *v += shift[c];
            }
        }
        NormalisationPlan::WeightedMeanZero => {
            let w = |i: usize| s.weights.as_ref().map_or(1.0, |w| w[i]);
            let sw: f64 = (0..fe.n_obs()).map(w).sum();
            for g in 1..fe.n_dims() {
                let m = fe.ids[g]
                    .iter()
                    .enumerate()
                    .map(|(i, &l)| w(i) * vals[g][l as usize])
                    .sum::<f64>()
                    / sw;
                vals[g].iter_mut().for_each(|v| *v -= m);
                vals[0].iter_mut().for_each(|v| *v += m);
            }
        }
    }
    vals.into_iter()
        .enumerate()
        .map(|(g, values)| FixedEffectValues {
            name: s.fe_names[g].clone(),
            levels: s.fe_labels[g].clone(),
            values,
            components: s.fe_names[g].split('^').map(str::to_string).collect(),
            keys: s.fe_keys[g].clone(),
        })
        .collect()
}

/// The default normalisation ([`FeNormalisation::FirstLevels`]) on two or more
/// dimensions.
fn first_levels(s: &Sample, vals: &mut [Vec<f64>]) {
    let fe = &s.fe;
    let (l0, l1) = (fe.n_levels[0], fe.n_levels[1]);
    let (comp0, comp1, n_comp) = bipartite_components(&fe.ids[0], l0, &fe.ids[1], l1);
    // reference (first-appearing) level of dim 1 per component
    let mut comp_ref: Vec<Option<f64>> = vec![None; n_comp];
    for &b in &fe.ids[1] {
        let c = &mut comp_ref[comp1[b as usize]];
        if c.is_none() {
            *c = Some(vals[1][b as usize]);
        }
    }
    for (v, &c) in vals[1].iter_mut().zip(&comp1) {
        *v -= comp_ref[c].unwrap_or(0.0);
    }
    for (v, &c) in vals[0].iter_mut().zip(&comp0) {
        *v += comp_ref[c].unwrap_or(0.0);
    }
    for g in 2..fe.n_dims() {
        if let Some(&first) = fe.ids[g].first() {
            let c = vals[g][first as usize];
            vals[g].iter_mut().for_each(|v| *v -= c);
            vals[0].iter_mut().for_each(|v| *v += c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(keys: Vec<FeKey>) -> FixedEffectValues {
        FixedEffectValues {
            name: "exporter^year".into(),
            levels: vec!["ARG^1986".into(), "BRA^1986".into()],
            values: vec![0.5, -0.25],
            components: vec!["exporter".into(), "year".into()],
            keys,
        }
    }

    #[test]
    fn a_level_is_found_by_its_components() {
        let key = |a: &str, b: &str| FeKey::new(vec![a.into(), b.into()]);
        let fe = values(vec![key("ARG", "1986"), key("BRA", "1986")]);
        assert_eq!(fe.get(&["BRA", "1986"]), Some(-0.25));
        assert_eq!(fe.get(&["BRA"]), None);
        assert_eq!(fe.get(&["BRA^1986"]), None, "joined labels are not keys");
        assert_eq!(fe.component_index("year"), Some(1));
        let seen: Vec<(String, f64)> = fe.iter().map(|(k, v)| (k.to_string(), v)).collect();
        assert_eq!(
            seen,
            [
                ("ARG^1986".to_string(), 0.5),
                ("BRA^1986".to_string(), -0.25)
            ]
        );
    }

    #[test]
    fn documents_without_keys_are_matched_on_the_joined_label() {
        let json =
            r#"{"name":"exporter^year","levels":["ARG^1986","BRA^1986"],"values":[0.5,-0.25]}"#;
        let fe: FixedEffectValues = serde_json::from_str(json).expect("old document");
        assert!(fe.keys.is_empty());
        assert_eq!(fe.get(&["BRA", "1986"]), Some(-0.25));
    }

    #[test]
    fn components_are_numbered_per_connected_part() {
        // levels 0,1 of a linked to level 0 of b; level 2 of a to level 1 of b
        let (ca, cb, n) = bipartite_components(&[0, 1, 2], 3, &[0, 0, 1], 2);
        assert_eq!(n, 2);
        assert_eq!(ca, [ca[0], ca[0], 1 - ca[0]]);
        assert_eq!(cb, [ca[0], 1 - ca[0]]);
    }

    #[test]
    fn options_without_a_normalisation_keep_the_default() {
        let mut v = serde_json::to_value(crate::FitOptions::default()).expect("json");
        if let Some(o) = v.as_object_mut() {
            o.remove("fe_normalisation");
        }
        let opts: crate::FitOptions = serde_json::from_value(v).expect("older options");
        assert_eq!(opts.fe_normalisation, FeNormalisation::FirstLevels);
    }

    #[test]
    fn normalisations_round_trip_through_json() {
        let n: FeNormalisation = serde_json::from_str(r#""weighted_mean_zero""#).expect("unit");
        assert_eq!(n, FeNormalisation::WeightedMeanZero);
        let r = FeNormalisation::reference("importer^year", "importer", "DEU");
        let back: FeNormalisation =
            serde_json::from_str(&serde_json::to_string(&r).expect("json")).expect("round trip");
        assert_eq!(back, r);
    }
}
