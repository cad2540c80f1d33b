# Reference maximum-likelihood fit of a beta-binomial distribution to the provider
# counts in provider_counts.csv, with base R only (lchoose, lbeta, optim), written
# independently of beian_audit and scipy. Run from this directory:
#   Rscript fit_beta_binomial.R > fit_beta_binomial_r.csv
d <- read.csv("provider_counts.csv")
loglik <- function(a, b) sum(lchoose(d$n, d$successes) +
                             lbeta(d$successes + a, d$n - d$successes + b) - lbeta(a, b))
negll <- function(theta) -loglik(exp(theta[1]), exp(theta[2]))
fit <- optim(c(0, 0), negll, method = "BFGS",
             control = list(reltol = 1e-15, maxit = 10000))
fit <- optim(fit$par, negll, method = "Nelder-Mead",
             control = list(reltol = 1e-15, maxit = 20000))
a <- exp(fit$par[1]); b <- exp(fit$par[2])
cat("alpha,beta,log_likelihood,convergence\n")
cat(sprintf("%.12g,%.12g,%.12g,%d\n", a, b, -fit$value, fit$convergence))
