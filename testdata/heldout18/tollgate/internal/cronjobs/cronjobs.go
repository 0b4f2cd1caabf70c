// Package cronjobs holds the handlers run by the scheduler (Cron Triggers in
// production), keyed by name. They talk to Workers KV directly.
package cronjobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/tollgate/internal/authority"
)

// Job is one scheduled handler.
type Job func(ctx context.Context, at time.Time) error

// Runner dispatches scheduled events to jobs by name.
type Runner struct {
	cf          *cloudflare.Client
	accountID   string
	namespaceID string
	db          *authority.DB
	log         *slog.Logger
	jobs        map[string]Job
}

// MaintenanceConfig is the operator-editable maintenance policy.
type MaintenanceConfig struct {
	ReadOnlyDuringWindows bool   `json:"read_only_during_windows"`
	Banner                string `json:"banner"`
}

// New wires the runner and its job table.
func New(cf *cloudflare.Client, accountID, namespaceID string, db *authority.DB, log *slog.Logger) *Runner {
	r := &Runner{cf: cf, accountID: accountID, namespaceID: namespaceID, db: db, log: log}
	r.jobs = map[string]Job{
		"heartbeat":       r.heartbeat,
		"maintenance":     r.syncMaintenance,
		"sweep-trials":    r.sweepTrialOffers,
		"ensure-defaults": r.ensureDefaults,
	}
	return r
}

// Trigger runs the named job for the scheduled time at.
func (r *Runner) Trigger(ctx context.Context, name string, at time.Time) error {
	job, ok := r.jobs[name]
	if !ok {
		return fmt.Errorf("cronjobs: unknown job %q", name)
	}
	start := time.Now()
	err := job(ctx, at)
	r.log.InfoContext(ctx, "cron job finished", "job", name, "took", time.Since(start), "err", err)
	if cerr := r.countRun(ctx, name); cerr != nil {
		r.log.WarnContext(ctx, "counting cron run", "job", name, "err", cerr)
	}
	return err
}

func (r *Runner) put(value string) kv.NamespaceValueUpdateParams {
	return kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(r.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
}

func isMissing(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (r *Runner) countRun(ctx context.Context, name string) error {
	key := "cron-runs:" + name
	var runs int64
	res, err := r.cf.KV.Namespaces.Values.Get(ctx, r.namespaceID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(r.accountID)})
	if err == nil {
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		runs, _ = strconv.ParseInt(string(b), 10, 64)
	} else if !isMissing(err) {
		return err
	}
	_, err = r.cf.KV.Namespaces.Values.Update(ctx, r.namespaceID, key, r.put(strconv.FormatInt(runs+1, 10))) // EXPECT kvcounter
	return err
}

// heartbeat records that the scheduler is alive; the key lapses if it stops.
func (r *Runner) heartbeat(ctx context.Context, at time.Time) error {
	params := r.put(at.UTC().Format(time.RFC3339))
	params.Expiration = cloudflare.F(float64(at.Add(10 * time.Minute).UnixMilli())) // EXPECT kvttl
	_, err := r.cf.KV.Namespaces.Values.Update(ctx, r.namespaceID, "cron:heartbeat", params)
	return err
}

// syncMaintenance publishes whether a maintenance window is active, once per
// scheduled run.
func (r *Runner) syncMaintenance(ctx context.Context, at time.Time) error {
	w, active, err := r.db.ActiveWindow(ctx, at)
	if err != nil {
		return err
	}
	flag := map[string]any{"enabled": active, "reason": w.Reason, "checked_at": at.Unix()}
	raw, err := json.Marshal(flag)
	if err != nil {
		return err
	}
	params := r.put(string(raw))
	params.ExpirationTTL = cloudflare.F(300.0)
	_, err = r.cf.KV.Namespaces.Values.Update(ctx, r.namespaceID, "maintenance:flag", params)
	return err
}

// sweepTrialOffers removes trial offers whose end date has passed.
func (r *Runner) sweepTrialOffers(ctx context.Context, at time.Time) error {
	const maxPages = 10
	var expired []string
	collect := func(keys []kv.Key) {
		for _, k := range keys {
			if k.Expiration == 0 && strings.HasPrefix(k.Name, "trial-offer:") {
				md, _ := k.Metadata.(map[string]any)
				if end, ok := md["ends"].(float64); ok && int64(end) < at.Unix() {
					expired = append(expired, k.Name)
				}
			}
		}
	}
	page, err := r.cf.KV.Namespaces.Keys.List(ctx, r.namespaceID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(r.accountID),
		Prefix:    cloudflare.F("trial-offer:"),
		Limit:     cloudflare.F(1000.0),
	})
	if err != nil {
		return err
	}
	collect(page.Result)
	for n, cursor := 1, page.ResultInfo.Cursor; cursor != "" && n < maxPages; n++ {
		next, err := r.cf.KV.Namespaces.Keys.List(ctx, r.namespaceID, kv.NamespaceKeyListParams{ // EXPECT kvlist
			AccountID: cloudflare.F(r.accountID),
			Cursor:    cloudflare.F(cursor),
			Limit:     cloudflare.F(1000.0),
		})
		if err != nil {
			return err
		}
		collect(next.Result)
		cursor = next.ResultInfo.Cursor
	}
	if len(expired) == 0 {
		return nil
	}
	res, err := r.cf.KV.Namespaces.BulkDelete(ctx, r.namespaceID, kv.NamespaceBulkDeleteParams{
		AccountID: cloudflare.F(r.accountID),
		Body:      expired,
	})
	if err != nil {
		return err
	}
	if len(res.UnsuccessfulKeys) > 0 {
		return fmt.Errorf("cronjobs: %d trial offers not removed", len(res.UnsuccessfulKeys))
	}
	return nil
}

// ensureDefaults seeds the maintenance policy the first time the service runs
// against a namespace.
func (r *Runner) ensureDefaults(ctx context.Context, _ time.Time) error {
	res, err := r.cf.KV.Namespaces.Values.Get(ctx, r.namespaceID, "maintenance:config", kv.NamespaceValueGetParams{ // EXPECT kvnull
		AccountID: cloudflare.F(r.accountID),
	})
	if err == nil {
		res.Body.Close()
		return nil
	}
	raw, err := json.Marshal(MaintenanceConfig{ReadOnlyDuringWindows: true})
	if err != nil {
		return err
	}
	_, err = r.cf.KV.Namespaces.Values.Update(ctx, r.namespaceID, "maintenance:config", r.put(string(raw)))
	return err
}
