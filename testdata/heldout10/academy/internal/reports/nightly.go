// Package reports runs the nightly reporting job: activity numbers for the
// admin console, per-course reports for instructors and the weekly digest.
package reports

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"golang.org/x/sync/errgroup"

	"example.com/academy/internal/config"
	"example.com/academy/internal/keys"
	"example.com/academy/internal/kvstore"
)

// Warehouse is the reporting database.
type Warehouse interface {
	CourseReport(ctx context.Context, courseID, day string) (CourseReport, error)
	Cohorts(ctx context.Context, sql string) ([]map[string]any, error)
}

type CourseReport struct {
	CourseID       string `json:"course_id"`
	Day            string `json:"day"`
	ActiveLearners int    `json:"active_learners"`
	Completions    int    `json:"completions"`
}

type Summary struct {
	Day             string         `json:"day"`
	ActiveLearners  int            `json:"active_learners"`
	CoursesActive   int            `json:"courses_active"`
	CertificatesOrg map[string]int `json:"certificates_by_org"`
	FinishedAt      time.Time      `json:"finished_at"`
}

type Nightly struct {
	keys    *kv.NamespaceKeyService
	ns      *kv.NamespaceService
	account string
	nsID    string
	store   kvstore.Store
	wh      Warehouse
	cfg     config.Reports
	log     *slog.Logger
}

func NewNightly(client *cloudflare.Client, accountID, namespaceID string, store kvstore.Store, wh Warehouse, cfg config.Reports, log *slog.Logger) *Nightly {
	return &Nightly{
		keys:    client.KV.Namespaces.Keys,
		ns:      client.KV.Namespaces,
		account: accountID,
		nsID:    namespaceID,
		store:   store,
		wh:      wh,
		cfg:     cfg,
		log:     log,
	}
}

// Run is started by the scheduler once a night.
func (n *Nightly) Run(ctx context.Context) error {
	day := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	learners, err := n.activeLearners(ctx)
	if err != nil {
		return fmt.Errorf("reports: sessions: %w", err)
	}
	perOrg, err := n.certificatesByOrg(ctx)
	if err != nil {
		return fmt.Errorf("reports: certificates: %w", err)
	}
	courses := map[string]struct{}{}
	err = n.scanProgress(ctx, func(k kvstore.Key) {
		// progress:<learner>:<course>
		if parts := strings.Split(k.Name, ":"); len(parts) == 3 {
			courses[parts[2]] = struct{}{}
		}
	})
	if err != nil {
		return fmt.Errorf("reports: progress: %w", err)
	}
	if err := n.courseReports(ctx, day, slices.Sorted(maps.Keys(courses))); err != nil {
		return err
	}
	if err := n.cohortRetention(ctx); err != nil {
		n.log.WarnContext(ctx, "reports: cohort retention skipped", "err", err)
	}
	s := Summary{Day: day, ActiveLearners: len(learners), CoursesActive: len(courses), CertificatesOrg: perOrg, FinishedAt: time.Now().UTC()}
	if err := kvstore.PutJSON(ctx, n.store, "summary:"+day, s, kvstore.WithTTL(400*24*time.Hour)); err != nil {
		return err
	}
	return kvstore.PutJSON(ctx, n.store, "reports:latest", s)
}

// activeLearners collects the learners with a live session.
func (n *Nightly) activeLearners(ctx context.Context) ([]string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.account),
		Prefix:    cloudflare.F(keys.Session),
		Limit:     cloudflare.F(5000.0), // EXPECT kvlimits
	}
	iter := n.keys.ListAutoPaging(ctx, n.nsID, params) // EXPECT kvlist
	seen := map[string]struct{}{}
	for iter.Next() {
		if md, ok := iter.Current().Metadata.(map[string]any); ok {
			if id, ok := md["learner"].(string); ok {
				seen[id] = struct{}{}
			}
		}
	}
	return slices.Collect(maps.Keys(seen)), iter.Err()
}

// certificatesByOrg counts issued certificates per organisation from the key names.
func (n *Nightly) certificatesByOrg(ctx context.Context) (map[string]int, error) {
	perOrg := map[string]int{}
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.account),
		Prefix:    cloudflare.F(keys.Cert),
		Limit:     cloudflare.F(float64(n.cfg.PageSize)),
	}
	for range n.cfg.PageBudget {
		res, err := n.keys.List(ctx, n.nsID, params) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range res.Result {
			if parts := strings.SplitN(k.Name, ":", 3); len(parts) == 3 {
				perOrg[parts[1]]++
			}
		}
		if res.ResultInfo.Cursor == "" {
			return perOrg, nil
		}
		params = kv.NamespaceKeyListParams{AccountID: cloudflare.F(n.account), Cursor: cloudflare.F(res.ResultInfo.Cursor)}
	}
	n.log.WarnContext(ctx, "reports: certificate scan hit the page budget")
	return perOrg, nil
}

// scanProgress walks the progress records. The admin console shows the
// position of a running scan from the checkpoint key.
func (n *Nightly) scanProgress(ctx context.Context, visit func(kvstore.Key)) error {
	q := kvstore.ListQuery{Prefix: keys.Progress, Limit: n.cfg.PageSize}
	for range n.cfg.PageBudget {
		page, err := n.store.List(ctx, q)
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			visit(k)
		}
		if page.Done() {
			return n.store.Delete(ctx, "reports:nightly:checkpoint")
		}
		q.Cursor = page.Cursor
		if err := n.store.Put(ctx, "reports:nightly:checkpoint", []byte(q.Cursor), kvstore.WithTTL(6*time.Hour)); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// courseReports writes one report per active course, a few at a time.
func (n *Nightly) courseReports(ctx context.Context, day string, courses []string) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(n.cfg.Workers)
	for _, id := range courses {
		g.Go(func() error {
			rep, err := n.wh.CourseReport(ctx, id, day)
			if err != nil {
				return fmt.Errorf("course %s: %w", id, err)
			}
			return kvstore.PutJSON(ctx, n.store, keys.New("report").Add(id).Add(day).String(), rep, kvstore.WithTTL(90*24*time.Hour))
		})
	}
	return g.Wait()
}
