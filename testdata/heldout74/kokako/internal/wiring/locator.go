package wiring

import (
	"log/slog"

	"github.com/samber/do"
	"go.uber.org/dig"

	"github.com/kokako-uni/kokako/internal/jobs"
	"github.com/kokako-uni/kokako/internal/kvstore"
	"github.com/kokako-uni/kokako/internal/locator"
	"github.com/kokako-uni/kokako/internal/roster"
	"github.com/kokako-uni/kokako/internal/seats"
	"github.com/kokako-uni/kokako/internal/session"
	"github.com/kokako-uni/kokako/internal/waitlist"
)

type jobDeps struct {
	dig.In

	Log        *slog.Logger
	Waitlists  *waitlist.Service
	Sweepers   []session.Sweeper  `group:"sweepers"`
	Jobs       *kvstore.Namespace `name:"jobs"`
	Rosters    *kvstore.Namespace `name:"rosters"`
	Enrolments *kvstore.Namespace `name:"enrolments"`
	Stats      *kvstore.Namespace `name:"limits"`
}

// BuildLocator copies what the background jobs need out of the containers.
func BuildLocator(c *dig.Container, i *do.Injector, sink roster.Sink, quotas jobs.DeptQuotas) (*locator.Locator, error) {
	l := locator.New()
	err := c.Invoke(func(d jobDeps) {
		locator.Register(l, d.Log)
		locator.Register(l, d.Waitlists)
		locator.Register(l, jobs.Sweepers(d.Sweepers))
		locator.Register(l, jobs.JobsKV{Namespace: d.Jobs})
		locator.Register(l, jobs.StatsKV{Namespace: d.Stats})
		locator.Register(l, roster.Namespace{Namespace: d.Rosters})
		locator.Register(l, roster.Enrolments{Namespace: d.Enrolments})
	})
	if err != nil {
		return nil, err
	}
	locator.Register(l, do.MustInvoke[*seats.SeatStore](i))
	locator.Register(l, sink)
	locator.Register(l, quotas)
	locator.Register(l, jobs.NewViewCounter())
	return l, nil
}
