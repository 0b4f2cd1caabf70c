package kvx

import (
	"math/rand/v2"
	"time"
)

// Scale multiplies base by factor.
func Scale(base time.Duration, factor float64) time.Duration {
	return time.Duration(float64(base) * factor)
}

// Backoff returns base*mult^attempt, capped at ceil.
func Backoff(base time.Duration, mult float64, attempt int, ceil time.Duration) time.Duration {
	d := base
	for range attempt {
		d = Scale(d, mult)
		if d >= ceil {
			return ceil
		}
	}
	return d
}

// Jitter adds up to spread of random delay to d.
func Jitter(d, spread time.Duration) time.Duration {
	if spread <= 0 {
		return d
	}
	return d + rand.N(spread)
}
