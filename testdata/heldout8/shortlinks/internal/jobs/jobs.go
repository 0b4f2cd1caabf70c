// Package jobs contains the hourly cron work.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/shortlinks/internal/config"
	"example.com/shortlinks/internal/keys"
	"example.com/shortlinks/internal/links"
	"example.com/shortlinks/internal/store/storemw"
)

type Runner struct {
	ns       *kv.Namespace
	metrics  *storemw.Metrics
	client   *http.Client
	account  string
	token    string
	maxPages int
	log      *slog.Logger
}

func New(ns *kv.Namespace, metrics *storemw.Metrics, client *http.Client, account, token string, cfg config.AdminConfig, log *slog.Logger) *Runner {
	return &Runner{ns: ns, metrics: metrics, client: client, account: account, token: token, maxPages: cfg.MaxPages, log: log}
}

// Run is the cron entry point. Steps are independent; one failing does not
// stop the others.
func (j *Runner) Run(ctx context.Context) error {
	started := time.Now().UTC()
	var errs []error
	for name, step := range map[string]func(context.Context) error{
		"top-links": j.rollupTopLinks,
		"sweep-qr":  j.sweepQR,
		"redirects": j.pruneRedirects,
		"previews":  j.dropPermanentPreviews,
		"metrics":   j.metrics.Flush,
	} {
		if err := step(ctx); err != nil {
			j.log.Error("cron step failed", "step", name, "err", err)
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	if err := j.ns.PutString(keys.LastRollup, started.Format(time.RFC3339), nil); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (j *Runner) rollupTopLinks(ctx context.Context) error {
	read := j.ns.GetString
	last, err := read(keys.LastRollup, nil)
	if err != nil {
		return err
	}
	if last == "" { // EXPECT kvnull
		j.log.Info("first rollup on this namespace")
	} else if t, err := time.Parse(time.RFC3339, last); err == nil && time.Since(t) < 50*time.Minute {
		return nil
	}
	url := fmt.Sprintf("https://api.cloudflare.com/client/v4/accounts/%s/analytics_engine/sql", j.account)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(topLinksQuery))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+j.token)
	resp, err := j.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("analytics engine: %s", resp.Status)
	}
	return j.ns.PutString("ae:"+topLinksQuery, string(body), &kv.PutOptions{ExpirationTTL: 3600}) // EXPECT kvlimits
}

// sweepQR removes half-written renders left by timed-out requests.
func (j *Runner) sweepQR(ctx context.Context) error {
	opts := &kv.ListOptions{Prefix: keys.QRPrefix, Limit: 500}
	for page := 0; page < j.maxPages; page++ {
		res, err := j.ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if strings.HasSuffix(k.Name, ".tmp") {
				if err := j.ns.Delete(k.Name); err != nil {
					return err
				}
			}
		}
		if res.ListComplete || ctx.Err() != nil {
			break
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: 500}
	}
	return nil
}

// pruneRedirects drops cached redirects of links that were disabled or have
// expired since they were cached.
func (j *Runner) pruneRedirects(ctx context.Context) error {
	deadline := time.Now().Add(10 * time.Second)
	cursor := ""
	for time.Now().Before(deadline) {
		res, err := j.ns.List(&kv.ListOptions{Prefix: keys.LinkPrefix, Cursor: cursor, Limit: 200})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			raw, err := j.ns.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil {
				return err
			}
			if raw == "<null>" {
				continue
			}
			var l links.Link
			if json.Unmarshal([]byte(raw), &l) != nil {
				continue
			}
			if l.Disabled || (!l.ExpiresAt.IsZero() && l.ExpiresAt.Before(time.Now())) {
				if err := j.ns.Delete(keys.RedirectPrefix + l.Slug); err != nil {
					return err
				}
			}
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return nil
}

// dropPermanentPreviews removes previews written without a TTL by releases
// before 2.3.
func (j *Runner) dropPermanentPreviews(ctx context.Context) error {
	cursor := ""
	for i := 0; i < j.maxPages; i++ {
		res, err := j.ns.List(&kv.ListOptions{
			Prefix: keys.PreviewPrefix,
			Cursor: cursor,
			Limit:  5000, // EXPECT kvlimits
		})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if k.Expiration == 0 {
				if err := j.ns.Delete(k.Name); err != nil {
					return err
				}
			}
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return nil
}
