# Reference numbers for tests/test_estimation_r_reference.py, from R survey.
#
# Reads the design_*.csv files of this folder (written by make_designs.py),
# builds the designs with survey::svydesign and writes reference.csv: one row
# per (case, quantity, method, level) with the value printed to 17 significant
# digits. Regenerate with (from this folder):
#
#     Rscript make_reference.R
#
# Quantities
#   mean, se, deff (svymean deff = TRUE), deff_replace (deff = "replace"),
#   df (degf), n (observations used)
#   ci_low / ci_high for svyciprop methods "mean", "asin", "xlogit", "logit",
#   "beta", "likelihood" (R's own code), and for methods that survey 4.1 does
#   not have, computed below from R's svymean variance with the formulas of
#   docs/methodology.md (method names prefixed "formula:"): the NCHS
#   Korn-Graubard variant with the boundary rule (effective size n / deff_Kish
#   when the estimate is 0 or 1), Wilson with the t quantile (survey 4.5's
#   "wilson"), Wilson with the normal quantile ("wilson-normal"), Jeffreys and
#   Clopper-Pearson on the effective sample size, and the Rao-Scott likelihood interval solved
#   exactly with uniroot (R's own "likelihood" interpolates a spline through a
#   few profile points).

suppressPackageStartupMessages(library(survey))
here <- function(f) file.path(getwd(), f)

out <- list()
emit <- function(case, quantity, method, level, value) {
  out[[length(out) + 1]] <<- data.frame(
    case = case, quantity = quantity, method = method, level = level,
    value = ifelse(is.na(value), "NA", format(value, digits = 17)),
    stringsAsFactors = FALSE
  )
}

levels <- c(0.95, 0.90, 0.99)

formula_cis <- function(case, p, v, n, df, level, deff_kish) {
  a <- (1 - level) / 2
  # boundary rule: Kish's effective size n / deff_Kish when the variance says nothing
  n_boundary <- n / max(deff_kish, 1)
  neff_raw <- if (p > 0 && p < 1 && v > 0) p * (1 - p) / v else n_boundary
  # NCHS Korn-Graubard (Parker et al. 2017; cf. surveytable::svyciprop_adjusted)
  if (p > 0 && p < 1 && v > 0) {
    rat <- if (df > 0) (qt(a, n - 1) / qt(a, df))^2 else 0
    nkg <- min(n, neff_raw * rat)
  } else {
    nkg <- n_boundary
  }
  x <- nkg * p
  lo <- if (x > 0) qbeta(a, x, nkg - x + 1) else 0
  hi <- if (x < nkg) qbeta(1 - a, x + 1, nkg - x) else 1
  emit(case, "ci_low", "formula:korn-graubard", level, lo)
  emit(case, "ci_high", "formula:korn-graubard", level, hi)
  # Clopper-Pearson, Jeffreys and Wilson on the raw effective sample size
  x <- neff_raw * p
  m <- neff_raw
  emit(case, "ci_low", "formula:clopper-pearson", level, if (x > 0) qbeta(a, x, m - x + 1) else 0)
  emit(case, "ci_high", "formula:clopper-pearson", level, if (x < m) qbeta(1 - a, x + 1, m - x) else 1)
  emit(case, "ci_low", "formula:jeffreys", level, if (x > 0) qbeta(a, x + 0.5, m - x + 0.5) else 0)
  emit(case, "ci_high", "formula:jeffreys", level, if (x < m) qbeta(1 - a, x + 0.5, m - x + 0.5) else 1)
  z <- qnorm(1 - a)
  centre <- (x + z^2 / 2) / (m + z^2)
  half <- z * sqrt(m) / (m + z^2) * sqrt(p * (1 - p) + z^2 / (4 * m))
  emit(case, "ci_low", "formula:wilson-normal", level, max(0, centre - half))
  emit(case, "ci_high", "formula:wilson-normal", level, min(1, centre + half))
  # survey 4.5's svyciprop(method = "wilson") (survey 4.1 lacks it), written out
  # from its documented formula: the Wilson score interval on the raw effective
  # size n* = p (1 - p) / v (no df factor) with the Student-t quantile
  # qt(1 - a, degf) in place of z: (p + t^2/(2 n*) -/+ t/(2 n*) sqrt(4 n* p (1 - p)
  # + t^2)) / (1 + t^2 / n*); the boundary rule when the estimate is 0 or 1.
  tq <- qt(1 - a, df)
  lo_w <- (p + tq^2 / (2 * m) - tq / (2 * m) * sqrt(4 * m * p * (1 - p) + tq^2)) / (1 + tq^2 / m)
  hi_w <- (p + tq^2 / (2 * m) + tq / (2 * m) * sqrt(4 * m * p * (1 - p) + tq^2)) / (1 + tq^2 / m)
  emit(case, "ci_low", "formula:wilson", level, max(0, lo_w))
  emit(case, "ci_high", "formula:wilson", level, min(1, hi_w))
  # Rao-Scott likelihood (svyciprop "likelihood"): deviance / (design effect
  # n / n* times quasibinomial dispersion n / (n - 1)) against t_df^2
  if (p > 0 && p < 1 && v > 0 && df > 0) {
    m <- neff_raw * (n - 1) / n
    kl <- function(q) p * log(p / q) + (1 - p) * log((1 - p) / (1 - q))
    tq <- qt(1 - a, df)
    g <- function(q) 2 * m * kl(q) - tq^2
    lo <- uniroot(g, c(1e-300, p), tol = 1e-15)$root
    hi <- uniroot(g, c(p, 1 - 1e-16), tol = 1e-15)$root
    emit(case, "ci_low", "formula:likelihood", level, lo)
    emit(case, "ci_high", "formula:likelihood", level, hi)
  }
}

run_case <- function(case, design, outcome,
                     svy_methods = c("mean", "asin", "xlogit", "logit", "beta", "likelihood")) {
  f <- as.formula(paste0("~", outcome))
  m <- svymean(f, design, deff = TRUE)
  m_rep <- svymean(f, design, deff = "replace")
  p <- unname(coef(m))[1]
  v <- unname(vcov(m))[1, 1]
  n <- nrow(design)
  df <- degf(design)
  w <- weights(design)
  w <- w[w > 0]
  deff_kish <- length(w) * sum(w^2) / sum(w)^2
  emit(case, "mean", "", NA, p)
  emit(case, "se", "", NA, sqrt(v))
  emit(case, "deff", "", NA, unname(deff(m))[1])
  emit(case, "deff_replace", "", NA, unname(deff(m_rep))[1])
  emit(case, "df", "", NA, df)
  emit(case, "n", "", NA, n)
  emit(case, "deff_kish", "", NA, deff_kish)
  for (level in levels) {
    for (method in svy_methods) {
      ci <- tryCatch(
        suppressWarnings(confint(svyciprop(f, design, method = method, level = level))),
        error = function(e) c(NA, NA)
      )
      emit(case, "ci_low", method, level, ci[1])
      emit(case, "ci_high", method, level, ci[2])
    }
    formula_cis(case, p, v, n, df, level, deff_kish)
  }
}

# ---------------------------------------------------------------- stratified, with fpc
st <- read.csv(here("design_stratified.csv"), stringsAsFactors = FALSE)
options(survey.lonely.psu = "fail")
d_st <- svydesign(ids = ~1, strata = ~stratum, fpc = ~population_size, weights = ~weight, data = st)
for (y in c("y75", "y995", "y_all1")) run_case(paste0("stratified|", y), d_st, y)
for (prov in c("A", "B", "C")) {
  sub <- subset(d_st, province == prov)
  for (y in c("y75", "y995")) run_case(paste0("stratified|", y, "|province=", prov), sub, y)
}
sub <- subset(d_st, nature == "individual")
run_case("stratified|y75|nature=individual", sub, "y75")
# missing outcomes: R's na.rm = TRUE semantics are those of the subset without them
run_case("stratified|y_miss", subset(d_st, !is.na(y_miss)), "y_miss")

# ---------------------------------------------------------------- stratified, no fpc
d_nofpc <- svydesign(ids = ~1, strata = ~stratum, weights = ~weight, data = st)
run_case("stratified_nofpc|y75", d_nofpc, "y75")

# ---------------------------------------------------------------- lonely PSU rules
lo <- read.csv(here("design_lonely.csv"), stringsAsFactors = FALSE)
for (rule in c("adjust", "average", "certainty", "remove")) {
  options(survey.lonely.psu = rule)
  d_lo <- svydesign(ids = ~1, strata = ~stratum, fpc = ~population_size, weights = ~weight, data = lo)
  run_case(paste0("lonely_", rule, "|y"), d_lo, "y", svy_methods = c("mean", "xlogit", "beta"))
}
options(survey.lonely.psu = "fail")

# ---------------------------------------------------------------- two-stage (ultimate cluster)
ts <- read.csv(here("design_twostage.csv"), stringsAsFactors = FALSE)
d_ts <- svydesign(ids = ~psu, strata = ~psu_stratum, fpc = ~psu_population_size,
                  weights = ~weight, nest = TRUE, data = ts)
for (y in c("y75", "y995")) run_case(paste0("twostage|", y), d_ts, y)
run_case("twostage|y75|province=A", subset(d_ts, province == "A"), "y75")

ref <- do.call(rbind, out)
writeLines(c(
  paste0("# R ", R.version$major, ".", R.version$minor, ", survey ", packageVersion("survey"),
         "; written by make_reference.R; do not edit"),
  paste(names(ref), collapse = ",")
), "reference.csv")
write.table(ref, "reference.csv", sep = ",", row.names = FALSE, col.names = FALSE,
            quote = TRUE, append = TRUE)
cat("wrote", nrow(ref), "rows\n")
