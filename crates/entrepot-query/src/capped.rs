//! Scalar functions whose output size the query chooses, under a cap.
//!
//! DataFusion's memory pool tracks operators (sorts, joins, aggregations), not the arrays
//! a scalar function returns, so `repeat('x', 2000000000)` or `lpad('', 1e9)` could
//! allocate gigabytes unchecked, and `concat(s, s)` nested twenty levels deep doubles a
//! value twenty times. Each function that can make a value larger than its inputs, or a
//! multiple of them, is replaced (same name and aliases, wrapping the built-in) by
//! [`Capped`], which *before* calling the built-in:
//!
//! 1. bounds the size of every output value from the arguments ([`Growth`] says how:
//!    `repeat` is `len(s) × n`, `lpad` is `n` characters, `concat` the sum of its
//!    arguments, …), and refuses a value over the cap ([`crate::limits::MAX_VALUE_BYTES`],
//!    16 MiB) with [`ValueTooLarge`];
//! 2. reserves the batch's total in the session's memory pool for the duration of the
//!    call, so a batch of output that does not fit in the memory limit fails with the
//!    pool's "resources exhausted" error.
//!
//! An analyzer rule ([`CapValueSizes`]) also swaps in the wrappers where the SQL planner
//! calls a built-in directly (`[a, b]` is `make_array`, `list || list` is
//! `array_concat`), and replaces the string `||` operator by [`ConcatOp`], the same
//! operation with the same check. The rule runs before the optimizer, so constant
//! folding already goes through the caps.

use std::any::Any;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use arrow::datatypes::{
    DataType, Field, FieldRef, IntervalMonthDayNanoType, IntervalUnit, Schema, TimeUnit,
};
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{DataFusionError, Result, ScalarValue};
use datafusion::execution::memory_pool::{MemoryConsumer, MemoryPool, MemoryReservation};
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::type_coercion::binary::BinaryTypeCoercer;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, Expr, LogicalPlan, Operator, ReturnFieldArgs, ScalarFunctionArgs,
    ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::optimizer::AnalyzerRule;
use datafusion::physical_expr::expressions::{BinaryExpr, Column};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::prelude::SessionContext;

use crate::limits::format_size;

/// A function would have made a value larger than the cap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueTooLarge {
    /// The function (`repeat`, `||`, …).
    pub function: String,
    /// The size the value could reach, in bytes.
    pub bytes: u64,
    /// The cap, in bytes.
    pub cap: u64,
}

impl std::fmt::Display for ValueTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = if self.function == "||" {
            "the || operator".to_string()
        } else {
            format!("{}()", self.function)
        };
        write!(
            f,
            "{what} would make a value of up to {} bytes, more than the {} one value may hold",
            self.bytes,
            format_size(self.cap)
        )
    }
}

impl std::error::Error for ValueTooLarge {}

/// How a function's output size follows from its arguments (an upper bound per row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Growth {
    /// `repeat(s, n)`: `len(s) × n`.
    Repeat,
    /// `lpad(s, n [, fill])`, `rpad`: `n` characters (1 byte each when the strings are
    /// ASCII, else up to 4).
    Pad,
    /// `replace(s, from, to)`: each occurrence of `from` (or each gap when it is empty)
    /// becomes `to`.
    Replace,
    /// `regexp_replace(s, re, repl [, flags])`: every match (at most `len(s) + 1`) becomes
    /// `repl`, whose group references copy at most `len(s)` bytes each.
    RegexpReplace,
    /// `array_repeat(x, n)`: `n` copies of `x`.
    ArrayRepeat,
    /// `array_resize(a, n [, fill])`: `a` plus `n` copies of `fill`.
    ArrayResize,
    /// `range` / `generate_series` (scalar): one 8-byte element per step.
    Range,
    /// `array_to_string(a, sep [, null])`: the elements as text plus a separator each.
    ArrayToString,
    /// `array_replace*(a, from, to [, n])`: each element may become `to`.
    ArrayReplace,
    /// The arguments' sizes times a factor (`encode` ×2, `string_to_array` ×24).
    Scaled(u64),
    /// The sum of the arguments (`concat`, `make_array`, `struct`, `||`, …).
    Sum,
    /// `concat_ws(sep, …)`: the arguments plus a separator between each two.
    ConcatWs,
}

/// The wrapped functions (canonical names; aliases follow the built-in).
const CAPPED: &[(&str, Growth)] = &[
    ("repeat", Growth::Repeat),
    ("lpad", Growth::Pad),
    ("rpad", Growth::Pad),
    ("replace", Growth::Replace),
    ("regexp_replace", Growth::RegexpReplace),
    ("concat", Growth::Sum),
    ("concat_ws", Growth::ConcatWs),
    ("overlay", Growth::Sum),
    ("encode", Growth::Scaled(2)),
    ("string_to_array", Growth::Scaled(24)),
    ("array_repeat", Growth::ArrayRepeat),
    ("array_resize", Growth::ArrayResize),
    ("range", Growth::Range),
    ("generate_series", Growth::Range),
    ("array_to_string", Growth::ArrayToString),
    ("array_replace", Growth::ArrayReplace),
    ("array_replace_n", Growth::ArrayReplace),
    ("array_replace_all", Growth::ArrayReplace),
    ("make_array", Growth::Sum),
    ("array_concat", Growth::Sum),
    ("array_append", Growth::Sum),
    ("array_prepend", Growth::Sum),
    ("struct", Growth::Sum),
    ("named_struct", Growth::Sum),
    ("map", Growth::Sum),
    ("arrays_zip", Growth::Sum),
];

/// The cap and the pool the wrappers check against.
#[derive(Debug)]
pub(crate) struct Budget {
    pool: Arc<dyn MemoryPool>,
    cap: u64,
}

impl Budget {
    /// Checks every row's bound against the cap and reserves their total in the pool
    /// (released when the reservation is dropped, after the call).
    fn admit(&self, function: &str, rows: &[u64]) -> Result<MemoryReservation> {
        let mut total = 0u64;
        for &bytes in rows {
            if bytes > self.cap {
                return Err(DataFusionError::External(Box::new(ValueTooLarge {
                    function: function.to_string(),
                    bytes,
                    cap: self.cap,
                })));
            }
            total = total.saturating_add(bytes);
        }
        let reservation = MemoryConsumer::new(format!("{function}() output")).register(&self.pool);
        reservation.try_grow(usize::try_from(total).unwrap_or(usize::MAX))?;
        Ok(reservation)
    }
}

/// Registers the wrappers in `ctx` and the analyzer rule that enforces them everywhere.
pub(crate) fn install(ctx: &SessionContext, cap: u64) {
    let state = ctx.state();
    let (wrappers, concat) = wrappers(
        state.scalar_functions(),
        Arc::clone(&ctx.runtime_env().memory_pool),
        cap,
    );
    for udf in wrappers.values() {
        ctx.register_udf(udf.as_ref().clone());
    }
    ctx.add_analyzer_rule(Arc::new(CapValueSizes { wrappers, concat }));
}

/// The wrappers of the built-ins among `builtins` and the `||` operator's function,
/// reserving their output in `pool` and refusing values over `cap` bytes.
fn wrappers(
    builtins: &HashMap<String, Arc<ScalarUDF>>,
    pool: Arc<dyn MemoryPool>,
    cap: u64,
) -> (HashMap<String, Arc<ScalarUDF>>, Arc<ScalarUDF>) {
    let budget = Arc::new(Budget { pool, cap });
    let mut wrappers = HashMap::new();
    for (name, growth) in CAPPED {
        // a function missing here belongs to a DataFusion feature that is not enabled
        let Some(inner) = builtins.get(*name) else {
            continue;
        };
        let udf = Arc::new(ScalarUDF::new_from_impl(Capped {
            inner: Arc::clone(inner),
            growth: *growth,
            budget: Arc::clone(&budget),
        }));
        wrappers.insert(inner.name().to_string(), udf);
    }
    let concat = Arc::new(ScalarUDF::new_from_impl(ConcatOp::new(budget)));
    (wrappers, concat)
}

/// The functions a plan of this crate may name beyond DataFusion's built-ins, for the
/// nodes of a cluster that decode its plans (the scheduler's session, the executors'
/// function registry): the size-capped wrappers, under the built-ins' names, and the
/// `||` operator's function. They refuse values over `cap` bytes and reserve their
/// output in `pool` (on a node, a pool of its own: the client's memory limit does not
/// travel with the plan). `builtins` are the node's scalar functions, by name.
pub fn cluster_functions(
    builtins: &HashMap<String, Arc<ScalarUDF>>,
    pool: Arc<dyn MemoryPool>,
    cap: u64,
) -> Vec<Arc<ScalarUDF>> {
    let (wrappers, concat) = wrappers(builtins, pool, cap);
    let mut all: Vec<Arc<ScalarUDF>> = wrappers.into_values().collect();
    all.push(concat);
    all
}

/// A built-in function behind a size check (see the module docs).
#[derive(Debug)]
pub(crate) struct Capped {
    inner: Arc<ScalarUDF>,
    growth: Growth,
    budget: Arc<Budget>,
}

impl PartialEq for Capped {
    fn eq(&self, other: &Self) -> bool {
        self.inner == other.inner && self.growth == other.growth
    }
}

impl Eq for Capped {}

impl Hash for Capped {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.inner.hash(state);
        self.growth.hash(state);
    }
}

impl ScalarUDFImpl for Capped {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn aliases(&self) -> &[String] {
        self.inner.aliases()
    }

    fn schema_name(&self, args: &[Expr]) -> Result<String> {
        self.inner.inner().schema_name(args)
    }

    fn signature(&self) -> &Signature {
        self.inner.signature()
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.inner.inner().return_type(arg_types)
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        self.inner.return_field_from_args(args)
    }

    fn is_strict(&self) -> bool {
        self.inner.inner().is_strict()
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.inner.coerce_types(arg_types)
    }

    fn documentation(&self) -> Option<&Documentation> {
        self.inner.documentation()
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let bounds = row_bounds(self.growth, &args.args, args.number_rows)?;
        let _reservation = self.budget.admit(self.name(), &bounds)?;
        self.inner.invoke_with_args(args)
    }
    // `simplify` is deliberately not delegated: built-in simplifications may rebuild the
    // call with the unwrapped built-in (e.g. `concat` merging its literal arguments).
}

/// The string `||` operator with the size check of [`Growth::Sum`].
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct ConcatOp {
    signature: Signature,
    budget: BudgetRef,
}

/// Compares equal to any other: the budget is per session, not part of the function.
#[derive(Debug)]
struct BudgetRef(Arc<Budget>);

impl PartialEq for BudgetRef {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for BudgetRef {}

impl Hash for BudgetRef {
    fn hash<H: Hasher>(&self, _: &mut H) {}
}

impl ConcatOp {
    fn new(budget: Arc<Budget>) -> Self {
        ConcatOp {
            signature: Signature::any(2, Volatility::Immutable),
            budget: BudgetRef(budget),
        }
    }
}

impl ScalarUDFImpl for ConcatOp {
    fn name(&self) -> &str {
        "||"
    }

    fn schema_name(&self, args: &[Expr]) -> Result<String> {
        match args {
            [l, r] => Ok(format!("{} || {}", l.schema_name(), r.schema_name())),
            _ => Err(DataFusionError::Internal("|| takes two arguments".into())),
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types {
            [l, r] => BinaryTypeCoercer::new(l, &Operator::StringConcat, r).get_result_type(),
            _ => Err(DataFusionError::Internal("|| takes two arguments".into())),
        }
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let types: Vec<DataType> = args
            .arg_fields
            .iter()
            .map(|f| f.data_type().clone())
            .collect();
        let nullable = args.arg_fields.iter().any(|f| f.is_nullable());
        Ok(Arc::new(Field::new(
            self.name(),
            self.return_type(&types)?,
            nullable,
        )))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let bounds = row_bounds(Growth::Sum, &args.args, rows)?;
        let _reservation = self.budget.0.admit("||", &bounds)?;
        let [l, r] = args.args.as_slice() else {
            return Err(DataFusionError::Internal("|| takes two arguments".into()));
        };
        let (l, r) = (l.to_array(rows)?, r.to_array(rows)?);
        let schema = Schema::new(vec![
            Field::new("l", l.data_type().clone(), true),
            Field::new("r", r.data_type().clone(), true),
        ]);
        let batch = RecordBatch::try_new(Arc::new(schema), vec![l, r])?;
        let op = BinaryExpr::new(
            Arc::new(Column::new("l", 0)),
            Operator::StringConcat,
            Arc::new(Column::new("r", 1)),
        );
        op.evaluate(&batch)
    }
}

/// Puts the wrappers in place of built-ins the SQL planner called directly, and
/// [`ConcatOp`] in place of the string `||`.
#[derive(Debug)]
struct CapValueSizes {
    wrappers: HashMap<String, Arc<ScalarUDF>>,
    concat: Arc<ScalarUDF>,
}

impl CapValueSizes {
    fn rewrite(&self, e: Expr) -> Result<Transformed<Expr>> {
        Ok(match e {
            Expr::ScalarFunction(f) if !is_capped(&f.func) => {
                match self.wrappers.get(f.func.name()) {
                    Some(w) => Transformed::yes(Expr::ScalarFunction(ScalarFunction::new_udf(
                        Arc::clone(w),
                        f.args,
                    ))),
                    None => Transformed::no(Expr::ScalarFunction(f)),
                }
            }
            Expr::BinaryExpr(b) if b.op == Operator::StringConcat => {
                Transformed::yes(Expr::ScalarFunction(ScalarFunction::new_udf(
                    Arc::clone(&self.concat),
                    vec![*b.left, *b.right],
                )))
            }
            other => Transformed::no(other),
        })
    }
}

fn is_capped(f: &ScalarUDF) -> bool {
    let inner: &dyn Any = f.inner().as_ref();
    inner.is::<Capped>() || inner.is::<ConcatOp>()
}

impl AnalyzerRule for CapValueSizes {
    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        plan.transform_up_with_subqueries(|node| {
            node.map_expressions(|e| e.transform_up(|e| self.rewrite(e)))
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "entrepot_cap_value_sizes"
    }
}

/// An upper bound of the output size of each row, in bytes.
fn row_bounds(growth: Growth, args: &[ColumnarValue], rows: usize) -> Result<Vec<u64>> {
    let size = |i: usize| -> Result<Vec<u64>> {
        args.get(i)
            .map_or_else(|| Ok(vec![0; rows]), |a| value_sizes(a, rows))
    };
    let int = |i: usize| -> Result<Vec<u64>> {
        args.get(i)
            .map_or_else(|| Ok(vec![0; rows]), |a| non_negative_ints(a, rows))
    };
    let zip = |a: &[u64], b: &[u64], f: &dyn Fn(u64, u64) -> u64| -> Vec<u64> {
        a.iter().zip(b).map(|(&x, &y)| f(x, y)).collect()
    };
    Ok(match growth {
        Growth::Repeat => zip(&size(0)?, &int(1)?, &|s, n| s.saturating_mul(n)),
        Growth::Pad => {
            let wide: Vec<bool> = (0..rows)
                .map(|r| {
                    !(is_ascii_at(&args[0], r) && args.get(2).is_none_or(|f| is_ascii_at(f, r)))
                })
                .collect();
            int(1)?
                .iter()
                .zip(wide)
                .map(|(&n, wide)| n.saturating_mul(if wide { 4 } else { 1 }))
                .collect()
        }
        Growth::Replace => {
            let (s, from, to) = (size(0)?, size(1)?, size(2)?);
            (0..rows)
                .map(|r| {
                    let grow = to[r].saturating_sub(from[r]);
                    let hits = s[r] / from[r].max(1) + 1;
                    s[r].saturating_add(hits.saturating_mul(grow))
                })
                .collect()
        }
        Growth::RegexpReplace => {
            let (s, repl) = (size(0)?, size(2)?);
            zip(&s, &repl, &|s, p| {
                let matches = (s + 1).saturating_mul(p);
                let group_copies = (p / 2).saturating_mul(s);
                s.saturating_add(matches).saturating_add(group_copies)
            })
        }
        Growth::ArrayRepeat => zip(&size(0)?, &int(1)?, &|x, n| {
            x.saturating_add(8).saturating_mul(n).saturating_add(64)
        }),
        Growth::ArrayResize => {
            let (a, n, fill) = (size(0)?, int(1)?, size(2)?);
            (0..rows)
                .map(|r| {
                    let grown = n[r].saturating_mul(fill[r].saturating_add(16));
                    a[r].saturating_add(grown).saturating_add(64)
                })
                .collect()
        }
        Growth::Range => range_bounds(args, rows)?,
        Growth::ArrayToString => {
            let (a, sep, null) = (size(0)?, size(1)?, size(2)?);
            let leaves = leaf_counts(&args[0], rows)?;
            (0..rows)
                .map(|r| {
                    let per_leaf = sep[r].saturating_add(null[r]).saturating_add(1);
                    a[r].saturating_mul(5)
                        .saturating_add(leaves[r].saturating_mul(per_leaf))
                        .saturating_add(64)
                })
                .collect()
        }
        Growth::ArrayReplace => {
            let (a, to) = (size(0)?, size(2)?);
            let leaves = leaf_counts(&args[0], rows)?;
            (0..rows)
                .map(|r| {
                    let replaced = leaves[r].saturating_mul(to[r].saturating_add(8));
                    a[r].saturating_add(replaced).saturating_add(64)
                })
                .collect()
        }
        Growth::Scaled(k) => sum_sizes(args, rows)?
            .into_iter()
            .map(|s| s.saturating_mul(k).saturating_add(64))
            .collect(),
        Growth::Sum => sum_sizes(args, rows)?,
        Growth::ConcatWs => {
            let sep = size(0)?;
            let rest = sum_sizes(args.get(1..).unwrap_or(&[]), rows)?;
            let gaps = args.len().saturating_sub(2) as u64;
            zip(&rest, &sep, &|x, s| {
                x.saturating_add(s.saturating_mul(gaps))
            })
        }
    })
}

/// Per row, the sum of the arguments' sizes plus 16 bytes each (offsets, validity).
fn sum_sizes(args: &[ColumnarValue], rows: usize) -> Result<Vec<u64>> {
    let mut total = vec![0u64; rows];
    for a in args {
        for (t, s) in total.iter_mut().zip(value_sizes(a, rows)?) {
            *t = t.saturating_add(s).saturating_add(16);
        }
    }
    Ok(total)
}

/// The size in bytes of each row's value (0 for a null).
fn value_sizes(v: &ColumnarValue, rows: usize) -> Result<Vec<u64>> {
    match v {
        ColumnarValue::Scalar(s) => {
            let bytes = if s.is_null() {
                0
            } else {
                s.size().saturating_sub(std::mem::size_of::<ScalarValue>()) as u64
            };
            Ok(vec![bytes; rows])
        }
        ColumnarValue::Array(a) => Ok((0..a.len().min(rows))
            .map(|r| {
                if a.is_null(r) {
                    0
                } else {
                    array_bytes(&a.slice(r, 1))
                }
            })
            .collect()),
    }
}

/// The bytes of an array's values (strings by their length, lists by their elements).
fn array_bytes(a: &ArrayRef) -> u64 {
    let n = a.len() as u64;
    match a.data_type() {
        DataType::Utf8 => span(a.as_string::<i32>().value_offsets()),
        DataType::LargeUtf8 => span(a.as_string::<i64>().value_offsets()),
        DataType::Binary => span(a.as_binary::<i32>().value_offsets()),
        DataType::LargeBinary => span(a.as_binary::<i64>().value_offsets()),
        DataType::Utf8View => a
            .as_string_view()
            .iter()
            .flatten()
            .map(|s| s.len() as u64)
            .sum(),
        DataType::BinaryView => a
            .as_binary_view()
            .iter()
            .flatten()
            .map(|s| s.len() as u64)
            .sum(),
        DataType::List(_) => list_values_bytes(
            a.as_list::<i32>().value_offsets(),
            a.as_list::<i32>().values(),
        ),
        DataType::LargeList(_) => list_values_bytes(
            a.as_list::<i64>().value_offsets(),
            a.as_list::<i64>().values(),
        ),
        DataType::Null => 0,
        t => match t.primitive_width() {
            Some(w) => n * w as u64,
            None => a.to_data().get_slice_memory_size().unwrap_or(usize::MAX) as u64,
        },
    }
}

fn span<O: Into<i64> + Copy>(offsets: &[O]) -> u64 {
    match (offsets.first(), offsets.last()) {
        (Some(&a), Some(&b)) => (b.into() - a.into()).max(0) as u64,
        _ => 0,
    }
}

fn list_values_bytes<O: Into<i64> + Copy>(offsets: &[O], values: &ArrayRef) -> u64 {
    let (Some(&a), Some(&b)) = (offsets.first(), offsets.last()) else {
        return 0;
    };
    let (a, b) = (a.into().max(0) as usize, b.into().max(0) as usize);
    let len = b.saturating_sub(a).min(values.len().saturating_sub(a));
    array_bytes(&values.slice(a, len)).saturating_add(4 * len as u64)
}

/// The number of leaf elements of each row's list (1 for a non-list value).
fn leaf_counts(v: &ColumnarValue, rows: usize) -> Result<Vec<u64>> {
    let a = v.to_array(rows)?;
    Ok((0..rows).map(|r| leaves(&a.slice(r, 1))).collect())
}

fn leaves(a: &ArrayRef) -> u64 {
    match a.data_type() {
        DataType::List(_) => {
            let l = a.as_list::<i32>();
            slice_leaves(l.value_offsets(), l.values())
        }
        DataType::LargeList(_) => {
            let l = a.as_list::<i64>();
            slice_leaves(l.value_offsets(), l.values())
        }
        _ => a.len() as u64,
    }
}

fn slice_leaves<O: Into<i64> + Copy>(offsets: &[O], values: &ArrayRef) -> u64 {
    let (Some(&a), Some(&b)) = (offsets.first(), offsets.last()) else {
        return 0;
    };
    let (a, b) = (a.into().max(0) as usize, b.into().max(0) as usize);
    let len = b.saturating_sub(a).min(values.len().saturating_sub(a));
    leaves(&values.slice(a, len))
}

/// Each row's value as a non-negative integer (negative and null count as 0).
fn non_negative_ints(v: &ColumnarValue, rows: usize) -> Result<Vec<u64>> {
    let a = v.to_array(rows)?;
    let a = arrow::compute::cast(&a, &DataType::Int64)?;
    let a = a.as_primitive::<arrow::datatypes::Int64Type>();
    Ok((0..rows)
        .map(|r| {
            if a.is_null(r) {
                0
            } else {
                a.value(r).max(0) as u64
            }
        })
        .collect())
}

fn is_ascii_at(v: &ColumnarValue, row: usize) -> bool {
    let text = |a: &dyn Array, r: usize| -> Option<bool> {
        let r = if a.len() == 1 { 0 } else { r };
        if a.is_null(r) {
            return Some(true);
        }
        match a.data_type() {
            DataType::Utf8 => Some(a.as_string::<i32>().value(r).is_ascii()),
            DataType::LargeUtf8 => Some(a.as_string::<i64>().value(r).is_ascii()),
            DataType::Utf8View => Some(a.as_string_view().value(r).is_ascii()),
            _ => None,
        }
    };
    match v {
        ColumnarValue::Scalar(s) => s
            .to_array()
            .ok()
            .and_then(|a| text(a.as_ref(), 0))
            .unwrap_or(false),
        ColumnarValue::Array(a) => row < a.len() && text(a.as_ref(), row).unwrap_or(false),
    }
}

/// Bounds for `range` / `generate_series`: `range(stop)`, `range(start, stop[, step])`
/// over integers, dates or timestamps (a step interval counts at least 28 days a month
/// and 23 hours a day).
fn range_bounds(args: &[ColumnarValue], rows: usize) -> Result<Vec<u64>> {
    let arrays: Vec<ArrayRef> = args
        .iter()
        .map(|a| a.to_array(rows))
        .collect::<Result<_>>()?;
    let (start, stop, step) = match arrays.as_slice() {
        [stop] => (None, stop, None),
        [start, stop] => (Some(start), stop, None),
        [start, stop, step] => (Some(start), stop, Some(step)),
        _ => return Ok(vec![0; rows]),
    };
    let stop_v = as_nanos_or_ints(stop)?;
    let start_v = match start {
        Some(s) => as_nanos_or_ints(s)?,
        None => vec![Some(0.0); rows],
    };
    let step_v = match step {
        Some(s) => step_sizes(s)?,
        None => vec![Some(1.0); rows],
    };
    Ok((0..rows)
        .map(|r| match (start_v[r], stop_v[r], step_v[r]) {
            (Some(a), Some(b), Some(s)) => {
                let steps = ((b - a).abs() / s.abs().max(1.0)).floor() + 1.0;
                let bytes = steps * 8.0 + 64.0;
                if bytes >= u64::MAX as f64 {
                    u64::MAX
                } else {
                    bytes as u64
                }
            }
            _ => 64,
        })
        .collect())
}

/// Integers as they are, dates and timestamps in nanoseconds.
fn as_nanos_or_ints(a: &ArrayRef) -> Result<Vec<Option<f64>>> {
    let scale = match a.data_type() {
        DataType::Date32 => 86_400e9,
        DataType::Date64 => 1e6,
        DataType::Timestamp(unit, _) => match unit {
            TimeUnit::Second => 1e9,
            TimeUnit::Millisecond => 1e6,
            TimeUnit::Microsecond => 1e3,
            TimeUnit::Nanosecond => 1.0,
        },
        _ => 1.0,
    };
    let ints = arrow::compute::cast(a, &DataType::Int64)?;
    let ints = ints.as_primitive::<arrow::datatypes::Int64Type>();
    Ok((0..a.len())
        .map(|r| (!ints.is_null(r)).then(|| ints.value(r) as f64 * scale))
        .collect())
}

/// Step sizes: integers as they are, intervals as a lower bound in nanoseconds.
fn step_sizes(a: &ArrayRef) -> Result<Vec<Option<f64>>> {
    if !matches!(a.data_type(), DataType::Interval(_)) {
        return as_nanos_or_ints(a);
    }
    let mdn = arrow::compute::cast(a, &DataType::Interval(IntervalUnit::MonthDayNano))?;
    let mdn = mdn.as_primitive::<IntervalMonthDayNanoType>();
    Ok((0..a.len())
        .map(|r| {
            (!mdn.is_null(r)).then(|| {
                let v = mdn.value(r);
                v.months as f64 * 28.0 * 86_400e9 + v.days as f64 * 82_800e9 + v.nanoseconds as f64
            })
        })
        .collect())
}
