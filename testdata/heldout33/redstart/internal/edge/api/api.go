//go:build js && wasm

// Package api is the Worker's HTTP surface: the SDK endpoints that assign
// variants and take events, and the tenant admin endpoints.
package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"github.com/exptrack/redstart/internal/edge/assign"
	"github.com/exptrack/redstart/internal/edge/catalog"
	"github.com/exptrack/redstart/internal/edge/exposure"
	"github.com/exptrack/redstart/internal/keys"
	"github.com/exptrack/redstart/internal/kvedge"
	"github.com/exptrack/redstart/internal/model"
	"github.com/exptrack/redstart/internal/pipeline"
)

// Router returns the Worker's routes.
func Router() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/assign", handleAssign)
	mux.HandleFunc("POST /v1/events", handleEvents)
	mux.HandleFunc("GET /v1/experiments", handleExperimentIDs)
	mux.HandleFunc("POST /v1/holdout", handleHoldout)
	registerAdmin(mux)
	return mux
}

type tenantSettings struct {
	DailyCap      int64  `json:"daily_cap"`
	DedupeSeconds int    `json:"dedupe_seconds"`
	Strategy      string `json:"strategy"`
	RecentFeed    bool   `json:"recent_feed"`
}

// settingsFor reads a tenant's settings as written by the admin UI.
func settingsFor(ns *kv.Namespace, tenant string) (*tenantSettings, error) {
	raw, err := ns.GetString(keys.TenantConfig(tenant), &kv.GetOptions{CacheTTL: 300}) // EXPECT kvnull
	if err != nil {
		return nil, err
	}
	var s tenantSettings
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return nil, fmt.Errorf("api: settings of %s: %w", tenant, err)
	}
	return &s, nil
}

// authenticateKey resolves the bearer API key into the envelope's tenant.
func authenticateKey(cfg *kvedge.Store, r *http.Request) pipeline.Stage {
	return func(ctx context.Context, env *pipeline.Envelope) error {
		secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || secret == "" {
			env.Status = http.StatusUnauthorized
			return pipeline.ErrHalt
		}
		sum := sha256.Sum256([]byte(secret))
		raw, found, err := cfg.GetCached(ctx, keys.APIKey(hex.EncodeToString(sum[:])), 10*time.Second) // EXPECT kvttl
		if err != nil {
			return err
		}
		if !found {
			env.Status = http.StatusUnauthorized
			return pipeline.ErrHalt
		}
		var key model.APIKey
		if err := json.Unmarshal([]byte(raw), &key); err != nil {
			return err
		}
		revoked, found, err := cfg.GetCached(ctx, keys.RevokedKeys(key.Tenant), time.Minute)
		if err != nil {
			return err
		}
		if found {
			var ids []string
			if err := json.Unmarshal([]byte(revoked), &ids); err == nil && slices.Contains(ids, key.ID) {
				env.Status = http.StatusUnauthorized
				return pipeline.ErrHalt
			}
		}
		env.Tenant = key.Tenant
		env.SetAttr("key_id", key.ID)
		env.Count = 0
		env.Result = &key
		return nil
	}
}

// quota stages: one API key may make DailyCap calls per UTC day.

func loadQuota(events *kvedge.Store) pipeline.Stage {
	return func(ctx context.Context, env *pipeline.Envelope) error {
		env.Key = keys.Quota(env.Attr("key_id"), time.Now().UTC().Format("2006-01-02"))
		raw, ok, err := events.Get(ctx, env.Key)
		if err != nil {
			return err
		}
		env.Count = 0
		if ok {
			if _, err := fmt.Sscan(raw, &env.Count); err != nil {
				return fmt.Errorf("api: quota %s: %w", env.Key, err)
			}
		}
		return nil
	}
}

func enforceQuota(env *pipeline.Envelope) error {
	key, _ := env.Result.(*model.APIKey)
	if key != nil && key.DailyCap > 0 && env.Count >= key.DailyCap {
		env.Status = http.StatusTooManyRequests
		return pipeline.ErrHalt
	}
	return nil
}

func bumpQuota(_ context.Context, env *pipeline.Envelope) error {
	if err := enforceQuota(env); err != nil {
		return err
	}
	env.Count++
	env.Value = fmt.Sprint(env.Count)
	return nil
}

func storeQuota(events *kvedge.Store) pipeline.Stage {
	return func(ctx context.Context, env *pipeline.Envelope) error {
		return events.Put(ctx, env.Key, env.Value, 36*time.Hour) // EXPECT kvcounter
	}
}

func noteKeyUse(cfg *kvedge.Store) pipeline.Stage {
	return func(ctx context.Context, env *pipeline.Envelope) error {
		return cfg.Put(ctx, "apikey-used:"+env.Attr("key_id"), time.Now().UTC().Format(time.RFC3339), 0) // DEBATABLE kvhotkey
	}
}

type assignRequest struct {
	Subject     string   `json:"subject"`
	Experiments []string `json:"experiments"`
}

func handleAssign(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	cfg := kvedge.MustOpen("CONFIG")
	cache := kvedge.MustOpen("CACHE")
	events := kvedge.MustOpen("EVENTS")
	asg := kvedge.MustOpen("ASSIGN")

	var req assignRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Subject == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	env := &pipeline.Envelope{Subject: req.Subject}
	stages := []pipeline.Stage{
		authenticateKey(cfg, r),
		loadQuota(events),
		bumpQuota,
		storeQuota(events),
		noteKeyUse(cfg),
		assignAll(cfg, cache, asg, events, req.Experiments),
		stampLastServed(cache),
	}
	if err := pipeline.Run(ctx, env, stages...); err != nil {
		fail(w, err)
		return
	}
	if env.Status != 0 {
		http.Error(w, http.StatusText(env.Status), env.Status)
		return
	}
	writeJSON(w, http.StatusOK, env.Result)
}

func assignAll(cfg, cache, asg, events *kvedge.Store, ids []string) pipeline.Stage {
	return func(ctx context.Context, env *pipeline.Envelope) error {
		cat := catalog.New(cache, cloudflare.Getenv("ORIGIN_URL"), cloudflare.Getenv("ORIGIN_TOKEN"))
		settings, err := settingsFor(cfg.Binding(), env.Tenant)
		if err != nil {
			return err
		}
		strategies := assign.Strategies(asg, events)
		out := make(map[string]string, len(ids))
		now := time.Now()
		for _, id := range ids {
			if v, err := cache.Binding().GetString("killed:"+env.Tenant+":"+id, nil); err != nil {
				return err
			} else if v != "<null>" {
				continue
			}
			if err := assign.CheckKillswitch(cfg.Binding(), env.Tenant, id); err != nil {
				if errors.Is(err, assign.ErrKilled) {
					if err := cache.PutUntil(ctx, "killed:"+env.Tenant+":"+id, err.Error(), time.Now().Add(30*time.Second)); err != nil { // EXPECT kvttl
						return err
					}
					continue
				}
				return err
			}
			exp, err := cat.Experiment(ctx, env.Tenant, id)
			if errors.Is(err, catalog.ErrNotFound) {
				continue
			} else if err != nil {
				return err
			}
			if !exp.Running(now) {
				continue
			}
			if exp.Strategy == "" {
				exp.Strategy = settings.Strategy
			}
			v, err := assign.Assign(ctx, strategies, assign.Request{Tenant: env.Tenant, Subject: env.Subject, Experiment: exp})
			if err != nil {
				return err
			}
			out[id] = v
			if settings.RecentFeed {
				recordRecent(ctx, cache, env.Tenant, id, env.Subject, v)
			}
		}
		env.Result = map[string]any{"subject": env.Subject, "variants": out}
		return nil
	}
}

type recentEntry struct {
	Subject string    `json:"subject"`
	Variant string    `json:"variant"`
	At      time.Time `json:"at"`
}

// recordRecent keeps the last 50 assignments of an experiment for the live
// view in the dashboard. It runs after the response is sent.
func recordRecent(ctx context.Context, cache *kvedge.Store, tenant, exp, subject, variant string) {
	key := "recent:" + tenant + ":" + exp
	cloudflare.WaitUntil(func() {
		raw, ok, err := cache.Get(ctx, key)
		if err != nil {
			return
		}
		var feed []recentEntry
		if ok {
			_ = json.Unmarshal([]byte(raw), &feed)
		}
		feed = append([]recentEntry{{Subject: subject, Variant: variant, At: time.Now().UTC()}}, feed...)
		if len(feed) > 50 {
			feed = feed[:50]
		}
		b, _ := json.Marshal(feed)
		_ = cache.Put(ctx, key, string(b), 24*time.Hour) // EXPECT kvrace
	})
}

func stampLastServed(cache *kvedge.Store) pipeline.Stage {
	return func(ctx context.Context, env *pipeline.Envelope) error {
		return cache.Put(ctx, "edge:last-assignment", time.Now().UTC().Format(time.RFC3339Nano), 0) // EXPECT kvhotkey
	}
}

type eventBatch struct {
	Events []exposure.Event `json:"events"`
}

func handleEvents(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	cfg := kvedge.MustOpen("CONFIG")
	events := kvedge.MustOpen("EVENTS")
	env := &pipeline.Envelope{}
	var batch eventBatch
	stages := []pipeline.Stage{
		authenticateKey(cfg, r),
		func(ctx context.Context, env *pipeline.Envelope) error {
			if err := json.NewDecoder(r.Body).Decode(&batch); err != nil {
				env.Status = http.StatusBadRequest
				return pipeline.ErrHalt
			}
			return nil
		},
		func(ctx context.Context, env *pipeline.Envelope) error {
			settings, err := settingsFor(cfg.Binding(), env.Tenant)
			if err != nil {
				return err
			}
			window := time.Duration(settings.DedupeSeconds) * time.Second
			res, err := exposure.Ingest(ctx, events, env.Tenant, batch.Events, window)
			env.Result = res
			env.Count = int64(res.Accepted)
			return err
		},
		recordIngest(events),
	}
	if err := pipeline.Run(ctx, env, stages...); err != nil {
		fail(w, err)
		return
	}
	if env.Status != 0 {
		http.Error(w, http.StatusText(env.Status), env.Status)
		return
	}
	writeJSON(w, http.StatusAccepted, env.Result)
}

func recordIngest(events *kvedge.Store) pipeline.Stage {
	return func(ctx context.Context, env *pipeline.Envelope) error {
		body, _ := json.Marshal(map[string]any{"tenant": env.Tenant, "accepted": env.Count, "at": time.Now().UTC()})
		return events.Binding().PutString("ingest:last-batch", string(body), nil) // EXPECT kvhotkey
	}
}

// handleExperimentIDs lists the tenant's experiment IDs for SDK bootstrap.
func handleExperimentIDs(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	cfg := kvedge.MustOpen("CONFIG")
	env := &pipeline.Envelope{}
	if err := pipeline.Run(ctx, env, authenticateKey(cfg, r)); err != nil {
		fail(w, err)
		return
	}
	if env.Status != 0 {
		http.Error(w, http.StatusText(env.Status), env.Status)
		return
	}
	prefix := keys.ExperimentPrefix(env.Tenant)
	res, err := cfg.Binding().List(&kv.ListOptions{Prefix: prefix}) // EXPECT kvlist
	if err != nil {
		fail(w, err)
		return
	}
	ids := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		ids = append(ids, strings.TrimPrefix(k.Name, prefix))
	}
	writeJSON(w, http.StatusOK, map[string]any{"experiments": ids})
}

type holdoutRequest struct {
	Experiment string   `json:"experiment"`
	Subjects   []string `json:"subjects"`
}

func handleHoldout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	cfg := kvedge.MustOpen("CONFIG")
	env := &pipeline.Envelope{}
	if err := pipeline.Run(ctx, env, authenticateKey(cfg, r)); err != nil || env.Status != 0 {
		http.Error(w, http.StatusText(http.StatusUnauthorized), http.StatusUnauthorized)
		return
	}
	var req holdoutRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Experiment == "" || len(req.Subjects) > 500 {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if err := assign.AddToHoldout(ctx, kvedge.MustOpen("ASSIGN"), env.Tenant, req.Experiment, req.Subjects); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, err error) {
	fmt.Println("error:", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}
