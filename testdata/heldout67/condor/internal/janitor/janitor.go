// Package janitor removes edge keys whose Kubernetes objects are gone. It
// runs on the elected leader only.
package janitor

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"
	"github.com/go-logr/logr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	edgev1 "github.com/condor-hosting/condor/api/v1alpha1"
	"github.com/condor-hosting/condor/internal/edgekv"
	"github.com/condor-hosting/condor/internal/keys"
)

// Janitor periodically garbage-collects stale edge keys.
type Janitor struct {
	Client   client.Client
	Store    *edgekv.Store
	Interval time.Duration
	// SweepTimeout bounds one sweep of the preview key space.
	SweepTimeout time.Duration
	Log          logr.Logger

	deleted int
}

var _ manager.LeaderElectionRunnable = (*Janitor)(nil)

// NeedLeaderElection implements manager.LeaderElectionRunnable.
func (j *Janitor) NeedLeaderElection() bool { return true }

// Start implements manager.Runnable.
func (j *Janitor) Start(ctx context.Context) error {
	t := time.NewTicker(j.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		n, err := j.runOnce(ctx)
		if err != nil {
			j.Log.Error(err, "janitor sweep failed")
			continue
		}
		j.deleted += n
		if err := j.Store.Put(ctx, keys.JanitorDeleted, []byte(strconv.Itoa(j.deleted))); err != nil { // EXPECT kvcounter
			j.Log.Error(err, "recording janitor totals")
		}
		if err := j.Store.Put(ctx, keys.JanitorLastRun, []byte(time.Now().UTC().Format(time.RFC3339))); err != nil {
			j.Log.Error(err, "recording janitor run")
		}
	}
}

func (j *Janitor) runOnce(ctx context.Context) (int, error) {
	known, err := j.knownHosts(ctx)
	if err != nil {
		return 0, err
	}
	a, err := j.sweepSites(ctx, known)
	if err != nil {
		return a, err
	}
	b, err := j.sweepPreviews(ctx)
	return a + b, err
}

// knownHosts returns every hostname the cluster still serves.
func (j *Janitor) knownHosts(ctx context.Context) (map[string]bool, error) {
	var sites edgev1.SiteList
	if err := j.Client.List(ctx, &sites); err != nil {
		return nil, err
	}
	known := make(map[string]bool, len(sites.Items))
	for _, s := range sites.Items {
		known[keys.Normalize(s.Spec.Hostname)] = true
	}
	return known, nil
}

// sweepSites deletes site and route records of hosts that no Site claims.
func (j *Janitor) sweepSites(ctx context.Context, known map[string]bool) (int, error) {
	api, account, nsID := j.Store.API(), j.Store.Account(), j.Store.NamespaceID()
	var doomed []string
	params := cloudflare.ListWorkersKVsParams{NamespaceID: nsID, Prefix: keys.SitePrefix, Limit: 1000}
	for {
		resp, err := api.ListWorkersKVKeys(ctx, account, params) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		for _, k := range resp.Result {
			host := strings.TrimPrefix(k.Name, keys.SitePrefix)
			if !known[host] {
				doomed = append(doomed, k.Name, keys.SiteRouteCount(host), keys.Suspended(host))
			}
		}
		if resp.Cursor == "" {
			break
		}
		params.Cursor = resp.Cursor
	}
	if len(doomed) == 0 {
		return 0, nil
	}
	return len(doomed), j.Store.DeleteKeys(ctx, doomed)
}

// sweepPreviews deletes preview records whose expiry has passed but whose
// key outlived it (records written before expirations were set).
func (j *Janitor) sweepPreviews(ctx context.Context) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, j.SweepTimeout)
	defer cancel()

	now := time.Now().Unix()
	var doomed []string
	cursor := ""
	for ctx.Err() == nil {
		page, next, err := j.Store.ListPage(ctx, keys.PreviewPrefix, cursor, 1000)
		if err != nil {
			return 0, err
		}
		for _, k := range page {
			if k.Expiration == 0 || int64(k.Expiration) < now {
				doomed = append(doomed, k.Name)
				stamp, _ := json.Marshal(map[string]any{"at": time.Now().Unix(), "key": k.Name})
				if err := j.Store.Put(ctx, keys.PreviewsChangedAt, stamp); err != nil { // EXPECT kvhotkey
					return 0, err
				}
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if len(doomed) == 0 {
		return 0, nil
	}
	return len(doomed), j.Store.DeleteKeys(ctx, doomed)
}
