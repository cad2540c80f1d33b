# Reference numbers for the unfiled counts of filing_rate (tests/test_estimation_filing_rate.py).
#
# The stratified design of design_stratified.csv (stratum, fpc, weights), outcome
# "unfiled" = 1 - y75. For the whole sample and every domain (province A/B/C,
# nature individual/enterprise) writes, from survey::svytotal on subset(design, d):
#   unfiled_total, unfiled_se   the domain total of 1 - y75 and its linearised SE
#   n_total, n_se               the estimated domain size N-hat_d and its SE
#   naive_se                    N-hat_d * SE(svymean(~y75)), the SE that treats
#                               N-hat_d as known (what filing_rate reported before)
# Regenerate with (from this folder): Rscript make_unfiled_totals.R

suppressPackageStartupMessages(library(survey))
options(survey.lonely.psu = "fail")
st <- read.csv("design_stratified.csv", stringsAsFactors = FALSE)
st$unfiled <- 1 - st$y75
st$one <- 1
d_st <- svydesign(ids = ~1, strata = ~stratum, fpc = ~population_size, weights = ~weight, data = st)

rows <- list()
one_case <- function(case, design) {
  u <- svytotal(~unfiled, design)
  nn <- svytotal(~one, design)
  m <- svymean(~y75, design)
  rows[[length(rows) + 1]] <<- data.frame(
    case = case,
    unfiled_total = format(unname(coef(u)), digits = 17),
    unfiled_se = format(unname(SE(u)), digits = 17),
    n_total = format(unname(coef(nn)), digits = 17),
    n_se = format(unname(SE(nn)), digits = 17),
    naive_se = format(unname(coef(nn)) * unname(SE(m)), digits = 17),
    stringsAsFactors = FALSE
  )
}
one_case("total", d_st)
for (prov in c("A", "B", "C")) one_case(paste0("province=", prov), subset(d_st, province == prov))
for (nat in c("individual", "enterprise")) one_case(paste0("nature=", nat), subset(d_st, nature == nat))

ref <- do.call(rbind, rows)
writeLines(paste0("# R ", R.version$major, ".", R.version$minor, ", survey ", packageVersion("survey"),
                  "; written by make_unfiled_totals.R; do not edit"), "unfiled_totals.csv")
suppressWarnings(write.table(ref, "unfiled_totals.csv", sep = ",", row.names = FALSE,
                             quote = TRUE, append = TRUE))
cat("wrote", nrow(ref), "rows\n")
