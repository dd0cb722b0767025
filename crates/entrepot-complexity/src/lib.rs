//! # entrepot-complexity
//!
//! Economic complexity of a country × product export matrix: Balassa's revealed
//! comparative advantage, the presence matrix, diversity and ubiquity, the economic and
//! product complexity indices (ECI, PCI) by the eigenvector method, product proximity,
//! density, the complexity outlook index (COI) and the complexity outlook gain (COG),
//! computed as the Harvard Growth Lab's `ecomplexity` Python package (0.5) computes
//! them, to rounding; `validation/complexity_check.py` compares the two on a
//! 150 × 2,000 matrix.
//!
//! ## Which function serves which case
//!
//! | case | function | notes |
//! |---|---|---|
//! | build the input | [`ExportMatrix::dense`], [`ExportMatrix::from_triplets`] | indices, not codes; values finite and `≥ 0`; repeated triplets summed |
//! | every figure of one year | [`complexity()`] with [`Options`] | RCA or RPOP presence, thresholds, symmetric or asymmetric proximity |
//! | every figure from a given presence matrix | [`complexity_of_presence`] | ecomplexity's `presence_test="manual"` |
//! | RCA, RPOP, world shares, presence alone | [`balassa_rca`], [`rpop`], [`world_shares`], [`presence`] | |
//! | the eigen-solvers | [`second_eigenpair`], [`symmetric_eigen`] | power iteration, Jacobi when it converges slowly |
//! | proximity `φ` | [`Complexity::proximity`] | on demand: no other figure needs it formed |
//!
//! ## Which algorithm serves which step
//!
//! | step | algorithm | cost (C countries, P products, `|M|` presences) |
//! |---|---|---|
//! | ECI / PCI eigenvector | the symmetric `S` of the smaller side (`C × C` for trade data), its second eigenvector by power iteration deflated of the known first (`√k_c`), to `‖Δv‖ < 1e-14`; cyclic Jacobi when that takes over 5,000 steps | `Σ_p k_p²` to form `S`, `C²` a step |
//! | proximity row sums, `Σ_q w_q φ_qp` (COG) | `φ_qp = co_qp / max(u_q, u_p)` split by ubiquity level, summed over the countries exporting `p` from per-country sums cumulated over levels; `φ` is never formed | `|M|` + `C × levels` + `|M|` |
//! | density, COG | the same split per country `c`: a table of the products `c` shares with each `c'`, cumulated over ubiquity levels, read for each `p` over its exporters | per country `Σ_{q∈S_c} u_q + C × levels + |M|` (not `|S_c| × P`) |
//! | proximity (on demand) | co-occurrences as popcounts of ANDed presence bitsets | `P² ⌈C/64⌉` |
//!
//! The formulas, each with its reference and the convention ecomplexity follows, are in
//! the [`complexity`](mod@complexity) module (ECI/PCI, proximity, density, COI, COG)
//! and the [`matrix`] module (RCA, RPOP, presence).
//!
//! ## Conventions (ecomplexity's)
//!
//! * Countries and products whose total exports are 0 are **dropped** before anything
//!   is computed; the result lists the input indices it kept.
//! * Presence `M_cp = 1` when RCA `≥` the threshold (default 1).
//! * The ECI's sign makes it correlate positively with diversity; ECI is standardised
//!   (mean 0, population sd 1) and the PCI is put on the ECI's scale (`(K_p − mean K_c)
//!   / sd K_c`), so a country's ECI is the mean PCI of its products. COI is standardised;
//!   COG is divided by `sd K_c`.
//! * Where ecomplexity returns NaN (a country or product with no presence at a
//!   threshold above 1) or an arbitrary vector (a disconnected network, whose second
//!   eigenvalue is 1), this crate returns an error that says so.
//!
//! ## Example
//!
//! ```
//! use entrepot_complexity::{complexity, ExportMatrix, Options};
//! // Six countries, four products (values in any currency).
//! let x = ExportMatrix::dense(6, 4, vec![
//!     5.0, 1.0, 0.5, 0.2,
//!     2.0, 3.0, 0.2, 1.0,
//!     0.1, 0.4, 4.0, 2.0,
//!     1.0, 1.0, 1.0, 1.0,
//!     3.0, 0.1, 2.0, 0.5,
//!     0.3, 2.5, 0.1, 0.2,
//! ])?;
//! let r = complexity(&x, &Options::default())?;
//! let (mean, sd) = entrepot_complexity::mean_sd(&r.eci);
//! assert!(mean.abs() < 1e-12 && (sd - 1.0).abs() < 1e-12);
//! assert_eq!((r.pci.len(), r.cog.len()), (4, 24));
//! # Ok::<(), entrepot_complexity::ComplexityError>(())
//! ```
//!
//! ## References
//!
//! * Balassa, B. (1965), "Trade liberalisation and 'revealed' comparative advantage",
//!   *The Manchester School* 33(2), 99–123.
//! * Hidalgo, C. A., B. Klinger, A.-L. Barabási and R. Hausmann (2007), "The product
//!   space conditions the development of nations", *Science* 317, 482–487.
//! * Hidalgo, C. A. and R. Hausmann (2009), "The building blocks of economic
//!   complexity", *PNAS* 106(26), 10570–10575.
//! * Hausmann, R., C. A. Hidalgo, S. Bustos, M. Coscia, A. Simoes and M. A. Yildirim
//!   (2014), *The Atlas of Economic Complexity*, MIT Press.
//! * Harvard Growth Lab, `ecomplexity` (PyPI, version 0.5.3), `ecomplexity.py`,
//!   `calc_proximity.py`, `calc_density.py`, `coicog.py`.

#![warn(missing_docs)]

pub mod complexity;
pub mod eigen;
pub mod error;
pub mod matrix;
mod product_space;

pub use complexity::{
    complexity, complexity_of_presence, mean_sd, Complexity, Options, PresenceTest,
};
pub use eigen::{second_eigenpair, symmetric_eigen, SymmetricEigen};
pub use error::{ComplexityError, Result};
pub use matrix::{balassa_rca, presence, rpop, world_shares, ExportMatrix};
