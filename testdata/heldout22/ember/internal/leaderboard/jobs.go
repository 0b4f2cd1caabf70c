package leaderboard

import (
	"context"
	"time"

	"example.com/ember/internal/jobs"
)

func init() {
	jobs.Register(jobs.Spec{Name: "leaderboard-nightly", Every: 24 * time.Hour, Timeout: time.Hour, Factory: newNightly})
	jobs.Register(jobs.Spec{Name: "leaderboard-views", Every: 15 * time.Minute, Factory: newViewsFlush})
}

func newNightly(env jobs.Env) (jobs.Job, error) {
	svc, err := jobs.Extra[*Service](env, "leaderboard")
	if err != nil {
		return nil, err
	}
	cities := env.Cities
	return jobs.Func(func(ctx context.Context) error {
		yesterday := env.Clock.Now().UTC().Add(-24 * time.Hour)
		return svc.PublishDay(ctx, cities, yesterday)
	}), nil
}

func newViewsFlush(env jobs.Env) (jobs.Job, error) {
	svc, err := jobs.Extra[*Service](env, "leaderboard")
	if err != nil {
		return nil, err
	}
	return jobs.Func(svc.FlushViews), nil
}
