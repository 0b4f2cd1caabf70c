package exports

import (
	"context"
	"time"

	"example.com/ember/internal/jobs"
)

func init() {
	jobs.Register(jobs.Spec{Name: "ride-export", Every: 24 * time.Hour, Timeout: 2 * time.Hour, Factory: newDailyJob})
}

func newDailyJob(env jobs.Env) (jobs.Job, error) {
	exp, err := jobs.Extra[*Exporter](env, "exports")
	if err != nil {
		return nil, err
	}
	return jobs.Func(func(ctx context.Context) error {
		// Rides are exported one full UTC day after they end so that late
		// uploads from vehicles that were offline are included.
		day := env.Clock.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -2)
		return exp.Run(ctx, day)
	}), nil
}
