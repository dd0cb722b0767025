//! `entrepot complexity --data FILE.csv` on a tiny matrix checked by hand: RCA,
//! presence, diversity and ubiquity, the ECI standardised and equal to the mean PCI
//! of each country's products, the report tables; a disconnected network and a file
//! of several years without --year refused with their exit codes.

mod common;

use common::{bin, stderr, stdout};
use std::path::Path;

/// Six countries × four products (32.1 in all). Presence (RCA ≥ 1), by hand:
/// A: p1 (RCA (5/6.7)/(11.4/32.1) = 2.1013); B: p2, p4; C: p3, p4; D: p2, p3, p4;
/// E: p1, p3; F: p2.
const MATRIX: [(&str, [f64; 4]); 6] = [
    ("A", [5.0, 1.0, 0.5, 0.2]),
    ("B", [2.0, 3.0, 0.2, 1.0]),
    ("C", [0.1, 0.4, 4.0, 2.0]),
    ("D", [1.0, 1.0, 1.0, 1.0]),
    ("E", [3.0, 0.1, 2.0, 0.5]),
    ("F", [0.3, 2.5, 0.1, 0.2]),
];

fn write_csv(path: &Path, rows: &[(&str, [f64; 4])], years: &[i32]) {
    let mut s = String::from("country,product,year,value\n");
    for y in years {
        for (c, values) in rows {
            for (p, v) in values.iter().enumerate() {
                if *v > 0.0 {
                    s.push_str(&format!("{c},p{},{y},{v}\n", p + 1));
                }
            }
        }
    }
    std::fs::write(path, s).unwrap();
}

fn read(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn tiny_matrix_figures_match_the_hand_computation() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("m.csv");
    write_csv(&data, &MATRIX, &[2020]);
    let tables = dir.path().join("tables");
    let o = bin()
        .args(["--quiet", "--format", "json", "complexity", "--data"])
        .arg(&data)
        .arg("--tables")
        .arg(&tables)
        .args(["--reporter", "A"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["kind"], "economic_complexity");
    let ids: Vec<&str> = doc["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["countries", "products", "opportunities", "method"]);

    let countries = read(&tables.join("countries.csv"));
    let diversity: Vec<(&str, &str)> = countries
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    assert_eq!(
        diversity,
        [
            ("A", "1"),
            ("B", "2"),
            ("C", "2"),
            ("D", "3"),
            ("E", "2"),
            ("F", "1")
        ]
    );
    let products = read(&tables.join("products.csv"));
    let ubiquity: Vec<&str> = products.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(ubiquity, ["2", "3", "3", "3"]);
    let cells = read(&tables.join("cells.csv"));
    let rca: f64 = cells[0][2].parse().unwrap();
    assert!((rca - (5.0 / 6.7) / (11.4 / 32.1)).abs() < 1e-12);
    let share: f64 = cells[0][3].parse().unwrap();
    assert!((share - 5.0 / 11.4).abs() < 1e-12);
    assert_eq!(cells[0][4], "1");
    // ECI standardised; each country's ECI is the mean PCI of its products.
    let eci: Vec<f64> = countries.iter().map(|r| r[2].parse().unwrap()).collect();
    let pci: Vec<f64> = products.iter().map(|r| r[2].parse().unwrap()).collect();
    let mean = eci.iter().sum::<f64>() / 6.0;
    let var = eci.iter().map(|e| (e - mean) * (e - mean)).sum::<f64>() / 6.0;
    assert!(mean.abs() < 1e-12 && (var - 1.0).abs() < 1e-12);
    let present = [
        vec![0],
        vec![1, 3],
        vec![2, 3],
        vec![1, 2, 3],
        vec![0, 2],
        vec![1],
    ];
    for (c, ps) in present.iter().enumerate() {
        let avg = ps.iter().map(|&p| pci[p]).sum::<f64>() / ps.len() as f64;
        assert!((avg - eci[c]).abs() < 1e-12, "country {c}");
        for &p in ps {
            assert_eq!(cells[c * 4 + p][6], "0", "COG is 0 where present");
        }
    }
}

#[test]
fn disconnected_network_is_refused_as_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d.csv");
    let rows = [
        ("A", [1.0, 1.0, 0.0, 0.0]),
        ("B", [1.0, 1.0, 0.0, 0.0]),
        ("C", [0.0, 0.0, 1.0, 1.0]),
        ("D", [0.0, 0.0, 1.0, 1.0]),
    ];
    write_csv(&data, &rows, &[2020]);
    let o = bin()
        .args(["--quiet", "complexity", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("disconnected"), "{}", stderr(&o));
}

#[test]
fn several_years_need_a_year() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("y.csv");
    write_csv(&data, &MATRIX, &[2019, 2020]);
    let o = bin()
        .args(["--quiet", "complexity", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--year"));
    let o = bin()
        .args(["--quiet", "complexity", "--year", "2019", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
}
