//! Economic complexity of one year: [`complexity`] reads an exporter × HS6 export matrix
//! (a flow cube of the store, or a long CSV), computes every figure with
//! `entrepot-complexity` (ECI, PCI, diversity, ubiquity, proximity, density, COI, COG,
//! as the `ecomplexity` package does) and lays out a report [`Document`] (kind
//! [`DOCUMENT_KIND`]): the country ranking, the product ranking, a chart of the ECI,
//! the method notes and, for a reporter, its best opportunities (products it does not
//! export with revealed comparative advantage, by complexity outlook gain).
//! [`write_tables`] writes the full results (every country, product and cell) as CSV.
//!
//! From the store, the cube holds each exporter's exports by HS6 product for the year,
//! as reported by the exporter (no mirror filling: BACI-like data hold exports once, on
//! the exporter's side); world rows (`WLD`) are not exporters.

use crate::error::{AppError, AppResult, ErrorClass};
use crate::location::StoreLocation;
/// The kernel's options (presence test, thresholds, proximity), as requests carry them.
pub use entrepot_complexity::Options;
use entrepot_complexity::{Complexity, ExportMatrix};
use entrepot_core::FlowKind;
use entrepot_cube::{CubeRequest, Mirror, PeriodGrain, PeriodRange, ProductGrain};
use entrepot_doc::{Bar, Block, Cell, Chart, Column, Document, Plot, Row, Section, Table, Unit};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// The [`Document::kind`] of a complexity report.
pub const DOCUMENT_KIND: &str = "economic_complexity";

/// Where the export matrix comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A flows dataset of the store (`None`: the only one).
    Store {
        /// The dataset's name.
        dataset: Option<String>,
    },
    /// A long CSV file: one row per (country, product[, year]) with a value.
    Csv {
        /// The file.
        path: PathBuf,
        /// Column names: country, product, year (optional in the file), value.
        columns: [String; 4],
    },
}

/// A request for the economic complexity of one year.
#[derive(Debug, Clone)]
pub struct ComplexityRequest {
    /// The data.
    pub source: Source,
    /// The year; needed from the store, and from a CSV holding several years.
    pub year: Option<i32>,
    /// A reporter whose opportunities are listed (a code as in the data).
    pub reporter: Option<String>,
    /// The kernel's options (presence threshold, proximity).
    pub options: Options,
    /// Rows shown in the product ranking and the opportunity table.
    pub top: usize,
}

/// The results and the report.
#[derive(Debug, Clone)]
pub struct ComplexityOutput {
    /// Country codes, in the kernel's order ([`Complexity::countries`] indexes them).
    pub country_codes: Vec<String>,
    /// Product codes, likewise.
    pub product_codes: Vec<String>,
    /// The year.
    pub year: Option<i32>,
    /// Every figure.
    pub result: Complexity,
    /// The report document.
    pub document: Document,
}

/// Reads the matrix, computes economic complexity and builds the report.
pub fn complexity(
    location: &StoreLocation,
    req: &ComplexityRequest,
) -> AppResult<ComplexityOutput> {
    if req.top == 0 {
        return Err(AppError::usage("--top must be at least 1"));
    }
    let (cells, year, label) = match &req.source {
        Source::Store { dataset } => read_store(location, dataset.as_deref(), req.year)?,
        Source::Csv { path, columns } => {
            let (cells, year) = read_csv(path, columns, req.year)?;
            (cells, year, format!("file {}", path.display()))
        }
    };
    // Codes in sorted order (as ecomplexity's pandas index), indices by that order.
    let (country_codes, ci) = sorted_codes(cells.iter().map(|(c, _, _)| c.as_str()));
    let (product_codes, pi) = sorted_codes(cells.iter().map(|(_, p, _)| p.as_str()));
    let matrix = ExportMatrix::from_triplets(
        country_codes.len(),
        product_codes.len(),
        cells
            .iter()
            .zip(ci.iter().zip(&pi))
            .map(|((_, _, v), (&c, &p))| (c, p, *v)),
    )
    .map_err(|e| AppError::new(ErrorClass::BadInput, e.to_string()))?;
    let result = entrepot_complexity::complexity(&matrix, &req.options)
        .map_err(|e| AppError::new(ErrorClass::BadInput, e.to_string()))?;
    let names = Names {
        countries: &country_codes,
        products: &product_codes,
        result: &result,
    };
    let reporter = match &req.reporter {
        Some(r) => Some(
            result
                .countries
                .iter()
                .position(|&c| country_codes[c] == *r)
                .ok_or_else(|| {
                    AppError::not_found(format!(
                        "{r} exports nothing in the data (codes as in the data)"
                    ))
                })?,
        ),
        None => None,
    };
    let document = document(&names, year, &label, req, reporter);
    Ok(ComplexityOutput {
        country_codes,
        product_codes,
        year,
        result,
        document,
    })
}

/// The distinct codes of a sequence, sorted (the order of ecomplexity's pandas index),
/// and the position of each element's code among them (one hash look-up per element,
/// no copy of a code seen before): the rows and columns of an [`ExportMatrix`].
pub fn sorted_codes<'a>(codes: impl Iterator<Item = &'a str>) -> (Vec<String>, Vec<usize>) {
    let mut first_seen: HashMap<&str, usize> = HashMap::new();
    let mut distinct: Vec<&str> = Vec::new();
    let seen: Vec<usize> = codes
        .map(|code| {
            *first_seen.entry(code).or_insert_with(|| {
                distinct.push(code);
                distinct.len() - 1
            })
        })
        .collect();
    let mut order: Vec<usize> = (0..distinct.len()).collect();
    order.sort_unstable_by_key(|&i| distinct[i]);
    let mut rank = vec![0; distinct.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r;
    }
    let sorted = order.iter().map(|&i| distinct[i].to_string()).collect();
    (sorted, seen.into_iter().map(|i| rank[i]).collect())
}

/// One `(country, product, value)` cell of the input.
type Triplet = (String, String, f64);

fn read_store(
    location: &StoreLocation,
    dataset: Option<&str>,
    year: Option<i32>,
) -> AppResult<(Vec<Triplet>, Option<i32>, String)> {
    let year = year.ok_or_else(|| AppError::usage("--year is needed with the store"))?;
    let store = location.open_read()?;
    let dataset = crate::diversification::choose_dataset(&store, dataset, "")?;
    let cube = location.cubes(&store)?.run(
        &CubeRequest::new()
            .datasets([dataset.as_str()])
            .by_reporter()
            .by_product(ProductGrain::Hs(6))
            .by_period(PeriodGrain::Year)
            .period_range(PeriodRange::years(year, year))
            .flows([FlowKind::Export])
            .mirror(Mirror::Off)
            .quantity(false),
    )?;
    let cells: Vec<Triplet> = cube
        .cells()
        .into_iter()
        .filter_map(|c| {
            let r = c
                .reporter
                .filter(|r| !matches!(*r, "WLD" | "WORLD" | "W00"))?;
            Some((r.to_string(), c.product?.code_string(), c.value))
        })
        .collect();
    if cells.is_empty() {
        return Err(AppError::not_found(format!(
            "dataset '{dataset}' holds no HS6 exports in {year}"
        )));
    }
    Ok((
        cells,
        Some(year),
        format!("dataset {dataset}, exporters' reports"),
    ))
}

fn read_csv(
    path: &Path,
    columns: &[String; 4],
    year: Option<i32>,
) -> AppResult<(Vec<Triplet>, Option<i32>)> {
    let bad = |m: String| AppError::new(ErrorClass::BadInput, format!("{}: {m}", path.display()));
    let mut reader = csv::Reader::from_path(path)
        .map_err(|e| AppError::not_found(format!("{}: {e}", path.display())))?;
    let headers = reader.headers().map_err(|e| bad(e.to_string()))?.clone();
    let find = |name: &str| headers.iter().position(|h| h == name);
    let need = |name: &str| {
        find(name).ok_or_else(|| {
            bad(format!(
                "no column '{name}' (columns: {})",
                headers.iter().collect::<Vec<_>>().join(", ")
            ))
        })
    };
    let (c_col, p_col, v_col) = (need(&columns[0])?, need(&columns[1])?, need(&columns[3])?);
    let y_col = find(&columns[2]);
    let mut by_year: BTreeMap<Option<i32>, Vec<Triplet>> = BTreeMap::new();
    // One record reused for every row (no allocation per row).
    let mut rec = csv::StringRecord::new();
    for line in 0usize.. {
        if !reader
            .read_record(&mut rec)
            .map_err(|e| bad(e.to_string()))?
        {
            break;
        }
        let field = |i: usize| rec.get(i).unwrap_or("").trim();
        let y = match y_col {
            Some(i) => Some(field(i).parse::<i32>().map_err(|_| {
                bad(format!(
                    "line {}: year {:?} is not a year",
                    line + 2,
                    field(i)
                ))
            })?),
            None => None,
        };
        if year.is_some() && y.is_some() && y != year {
            continue;
        }
        let v: f64 = field(v_col).parse().map_err(|_| {
            bad(format!(
                "line {}: value {:?} is not a number",
                line + 2,
                field(v_col)
            ))
        })?;
        by_year
            .entry(y)
            .or_default()
            .push((field(c_col).to_string(), field(p_col).to_string(), v));
    }
    match by_year.len() {
        0 => Err(bad(match year {
            Some(y) => format!("no rows for {y}"),
            None => "no rows".into(),
        })),
        1 => Ok(by_year
            .into_iter()
            .next()
            .map(|(y, c)| (c, y))
            .unwrap_or_default()),
        n => Err(AppError::usage(format!(
            "{} holds {n} years: choose one with --year",
            path.display()
        ))),
    }
}

/// Codes beside the kernel's results.
struct Names<'a> {
    countries: &'a [String],
    products: &'a [String],
    result: &'a Complexity,
}

impl Names<'_> {
    fn country(&self, c: usize) -> &str {
        &self.countries[self.result.countries[c]]
    }
    fn product(&self, p: usize) -> &str {
        &self.products[self.result.products[p]]
    }
}

fn number(value: f64, decimals: u8) -> Cell {
    Cell::Number {
        value,
        unit: Unit::Number,
        decimals,
        signed: true,
    }
}

fn count(value: u32) -> Cell {
    Cell::Number {
        value: f64::from(value),
        unit: Unit::Count,
        decimals: 0,
        signed: false,
    }
}

fn table(id: &str, title: String, columns: Vec<Column>, rows: Vec<Row>) -> Block {
    Block::Table(Table {
        id: id.into(),
        title,
        source: None,
        columns,
        rows,
        footer: Vec::new(),
    })
}

fn document(
    n: &Names<'_>,
    year: Option<i32>,
    label: &str,
    req: &ComplexityRequest,
    reporter: Option<usize>,
) -> Document {
    let r = n.result;
    let when = year.map(|y| format!(", {y}")).unwrap_or_default();
    let mut doc = Document::new(DOCUMENT_KIND, format!("Economic complexity{when}"));
    doc.lead.push(format!(
        "{} countries × {} products with positive exports ({label}); presence: RCA ≥ {}; second eigenvalue {:.4}.",
        r.n_countries(),
        r.n_products(),
        req.options.rca_threshold,
        r.second_eigenvalue
    ));
    let mut by_eci: Vec<usize> = (0..r.n_countries()).collect();
    by_eci.sort_by(|&a, &b| r.eci[b].total_cmp(&r.eci[a]));
    let country_rows = by_eci
        .iter()
        .enumerate()
        .map(|(k, &c)| {
            Row::new(vec![
                count(k as u32 + 1),
                Cell::text(n.country(c)),
                number(r.eci[c], 3),
                count(r.diversity[c]),
                number(r.coi[c], 3),
            ])
        })
        .collect();
    let mut by_pci: Vec<usize> = (0..r.n_products()).collect();
    by_pci.sort_by(|&a, &b| r.pci[b].total_cmp(&r.pci[a]));
    let product_rows = by_pci
        .iter()
        .take(req.top)
        .enumerate()
        .map(|(k, &p)| {
            Row::new(vec![
                count(k as u32 + 1),
                Cell::text(n.product(p)),
                number(r.pci[p], 3),
                count(r.ubiquity[p]),
            ])
        })
        .collect();
    let chart = Chart {
        id: "eci".into(),
        title: "ECI, highest 20 countries".into(),
        unit: Unit::Number,
        empty_reason: None,
        plot: Plot::Bars {
            bars: by_eci
                .iter()
                .take(20)
                .map(|&c| Bar {
                    label: n.country(c).to_string(),
                    value: r.eci[c],
                    total: false,
                })
                .collect(),
        },
    };
    doc.sections.push(Section {
        id: "countries".into(),
        title: "Country ranking".into(),
        blocks: vec![
            table(
                "countries",
                "Countries by ECI".into(),
                vec![
                    Column::new("rank", "Rank"),
                    Column::new("country", "Country"),
                    Column::new("eci", "ECI"),
                    Column::new("diversity", "Diversity"),
                    Column::new("coi", "COI"),
                ],
                country_rows,
            ),
            Block::Chart(chart),
        ],
    });
    doc.sections.push(Section {
        id: "products".into(),
        title: "Product ranking".into(),
        blocks: vec![table(
            "products",
            format!(
                "Products by PCI (highest {} of {})",
                req.top.min(r.n_products()),
                r.n_products()
            ),
            vec![
                Column::new("rank", "Rank"),
                Column::new("product", "Product"),
                Column::new("pci", "PCI"),
                Column::new("ubiquity", "Ubiquity"),
            ],
            product_rows,
        )],
    });
    if let Some(c) = reporter {
        let mut open: Vec<usize> = (0..r.n_products())
            .filter(|&p| r.presence[r.cell(c, p)] == 0)
            .collect();
        open.sort_by(|&a, &b| r.cog[r.cell(c, b)].total_cmp(&r.cog[r.cell(c, a)]));
        let rows = open
            .iter()
            .take(req.top)
            .map(|&p| {
                Row::new(vec![
                    Cell::text(n.product(p)),
                    number(r.density[r.cell(c, p)], 4),
                    number(r.cog[r.cell(c, p)], 4),
                    number(r.pci[p], 3),
                ])
            })
            .collect();
        doc.sections.push(Section {
            id: "opportunities".into(),
            title: format!("Opportunities of {}", n.country(c)),
            blocks: vec![table(
                "opportunities",
                format!(
                    "Products {} does not export with RCA ≥ {}, by complexity outlook gain",
                    n.country(c),
                    req.options.rca_threshold
                ),
                vec![
                    Column::new("product", "Product"),
                    Column::new("density", "Density"),
                    Column::new("cog", "COG"),
                    Column::new("pci", "PCI"),
                ],
                rows,
            )],
        });
    }
    doc.sections.push(Section {
        id: "method".into(),
        title: "Method".into(),
        blocks: Block::notes([
            "RCA (Balassa 1965): (x_cp / X_c) / (X_p / X); presence M_cp = 1 when RCA ≥ the threshold. Countries and products with zero total exports are dropped first.",
            "ECI and PCI by the eigenvector method (Hidalgo and Hausmann 2009; Hausmann et al. 2014, Atlas of Economic Complexity): the eigenvector of M̃_pp' = Σ_c M_cp M_cp' / (k_c k_p) for its second largest eigenvalue, signed so that ECI correlates positively with diversity; ECI standardised, PCI on the ECI's scale (a country's ECI is the mean PCI of its products), as in the ecomplexity package.",
            "Proximity (Hidalgo et al. 2007): co-occurrence over the larger ubiquity; density ω_cp = Σ_p' M_cp' φ_pp' / Σ_p' φ_pp'; COI (standardised) and COG as in the Atlas and ecomplexity (COG on the ECI's scale, 0 for products already exported).",
            "Results equal the ecomplexity Python package's (Harvard Growth Lab) to 1e-6 on a 150 × 2,000 synthetic matrix (validation/complexity_check.py).",
        ]),
    });
    doc
}

/// Writes `countries.csv` (country, diversity, eci, coi), `products.csv` (product,
/// ubiquity, pci) and `cells.csv` (country, product, rca, world_share, mcp, density,
/// cog) into
/// `dir` (created if needed), numbers at full precision.
pub fn write_tables(out: &ComplexityOutput, dir: &Path) -> AppResult<()> {
    let io = |e: std::io::Error| AppError::failure(format!("{}: {e}", dir.display()));
    std::fs::create_dir_all(dir).map_err(io)?;
    let r = &out.result;
    let n = Names {
        countries: &out.country_codes,
        products: &out.product_codes,
        result: r,
    };
    let mut s = String::from("country,diversity,eci,coi\n");
    for c in 0..r.n_countries() {
        s.push_str(&format!(
            "{},{},{},{}\n",
            n.country(c),
            r.diversity[c],
            r.eci[c],
            r.coi[c]
        ));
    }
    std::fs::write(dir.join("countries.csv"), s).map_err(io)?;
    let mut s = String::from("product,ubiquity,pci\n");
    for p in 0..r.n_products() {
        s.push_str(&format!(
            "{},{},{}\n",
            n.product(p),
            r.ubiquity[p],
            r.pci[p]
        ));
    }
    std::fs::write(dir.join("products.csv"), s).map_err(io)?;
    let mut s = String::with_capacity(r.density.len() * 48);
    s.push_str("country,product,rca,world_share,mcp,density,cog\n");
    for c in 0..r.n_countries() {
        for p in 0..r.n_products() {
            let i = r.cell(c, p);
            let rca = r.rca.get(i).copied().unwrap_or(f64::NAN);
            let share = r.world_share.get(i).copied().unwrap_or(f64::NAN);
            s.push_str(&format!(
                "{},{},{},{},{},{},{}\n",
                n.country(c),
                n.product(p),
                rca,
                share,
                r.presence[i],
                r.density[i],
                r.cog[i]
            ));
        }
    }
    std::fs::write(dir.join("cells.csv"), s).map_err(io)
}
