package flags

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wheatear/flagsvc/internal/audit"
	"github.com/wheatear/flagsvc/internal/kvkeys"
	"github.com/wheatear/flagsvc/internal/kvstore"
)

const (
	maxHistory     = 50
	maxBodyBytes   = 64 << 10
	listPageSize   = 200
	overrideMaxAge = 20 * time.Second
)

// API serves the flag endpoints.
type API struct {
	kv     *kvstore.Client
	origin *Origin
	audit  *audit.Recorder
	log    *slog.Logger
}

// NewAPI returns an API over the flags namespace.
func NewAPI(kv *kvstore.Client, origin *Origin, rec *audit.Recorder, log *slog.Logger) *API {
	return &API{kv: kv, origin: origin, audit: rec, log: log}
}

type handler func(a *API, w http.ResponseWriter, r *http.Request)

var routes = map[string]handler{
	"GET /v1/envs/{env}/flags":                      handleListFlags,
	"GET /v1/envs/{env}/flags/{name}":               handleGetFlag,
	"POST /v1/envs/{env}/flags":                     handleCreateFlag,
	"POST /v1/envs/{env}/flags/{name}/publish":      handlePublish,
	"PUT /v1/envs/{env}/flags/{name}/overrides/{r}": handleSetOverride,
	"GET /v1/envs/{env}/snapshot":                   handleSnapshot,
	"POST /v1/sdk/evaluate":                         handleEvaluate,
}

// Handler returns the HTTP handler for every flag route.
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	for pattern, h := range routes {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) { h(a, w, r) })
	}
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func flagKey(env, name string) string { return kvkeys.PrefixFlag + env + ":" + name }

// handleListFlags returns one page of flag names and the cursor for the next.
func handleListFlags(a *API, w http.ResponseWriter, r *http.Request) {
	env := r.PathValue("env")
	keys, cursor, err := a.kv.ListPage(r.Context(), kvkeys.PrefixFlag+env+":", r.URL.Query().Get("cursor"), listPageSize)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	names := make([]string, 0, len(keys))
	for _, k := range keys {
		names = append(names, strings.TrimPrefix(k.Name, kvkeys.PrefixFlag+env+":"))
	}
	writeJSON(w, http.StatusOK, map[string]any{"flags": names, "cursor": cursor})
}

func handleGetFlag(a *API, w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	env, name := r.PathValue("env"), r.PathValue("name")
	key := flagKey(env, name)
	raw, err := a.kv.Get(ctx, key)
	if err != nil {
		http.Error(w, "flag store unavailable", http.StatusBadGateway)
		return
	}
	if len(raw) == 0 { // EXPECT kvnull
		http.NotFound(w, r)
		return
	}
	var cfg FlagConfig
	if err := json.Unmarshal(raw, &cfg); err != nil {
		http.Error(w, "corrupt flag", http.StatusInternalServerError)
		return
	}

	key = kvkeys.PrefixOverride + env + ":" + name
	var ov Overrides
	raw, _ = a.kv.Get(ctx, key) // EXPECT kvnull
	json.Unmarshal(raw, &ov)
	writeJSON(w, http.StatusOK, map[string]any{"config": cfg, "overrides": ov.Rules, "state": cfg.Bits.String()})
}

type createRequest struct {
	Slug       string      `json:"slug"`
	Team       string      `json:"team"`
	Envs       []string    `json:"envs"`
	Variations []Variation `json:"variations"`
	Default    string      `json:"default"`
}

func handleCreateFlag(a *API, w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var req createRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes)).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if req.Slug == "" || len(req.Slug) > 128 {
		http.Error(w, "slug must be 1-128 bytes", http.StatusBadRequest)
		return
	}

	key := kvkeys.PrefixFlagSlug + req.Slug
	if _, err := a.kv.Get(ctx, key); err == nil {
		http.Error(w, "slug taken", http.StatusConflict)
		return
	} else if !kvstore.IsNotFound(err) {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	claim := SlugClaim{Team: req.Team, FlagID: newID(), CreatedAt: time.Now().UTC()}
	raw, err := json.Marshal(claim)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if err := a.kv.Put(ctx, key, raw); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}

	for _, env := range req.Envs {
		cfg := FlagConfig{
			Name:       req.Slug,
			Env:        env,
			Bits:       BitDraft,
			Version:    1,
			Variations: req.Variations,
			Default:    req.Default,
		}
		raw, err := json.Marshal(cfg)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if err := a.kv.Put(ctx, flagKey(env, req.Slug), raw); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
	}
	a.audit.Record(ctx, audit.Event{Env: "*", Actor: req.Team, Action: "flag.create", Target: req.Slug})
	writeJSON(w, http.StatusCreated, claim)
}

type publishRequest struct {
	Rollout  int    `json:"rollout_pct"`
	Enable   bool   `json:"enable"`
	Kill     bool   `json:"kill_switch"`
	Actor    string `json:"actor"`
	Comment  string `json:"comment"`
	Snapshot bool   `json:"refresh_snapshot"`
}

// handlePublish moves a flag from draft to published in one environment,
// records the publish in the flag's history and refreshes the caches that
// the evaluators read.
func handlePublish(a *API, w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	env, name := r.PathValue("env"), r.PathValue("name")
	var req publishRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes)).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if req.Rollout < 0 || req.Rollout > 100 {
		http.Error(w, "rollout_pct must be 0-100", http.StatusBadRequest)
		return
	}
	now := time.Now().UTC()

	key := flagKey(env, name)
	raw, err := a.kv.Get(ctx, key)
	if err != nil {
		var nf *kvstore.NotFoundError
		if errors.As(err, &nf) {
			http.Error(w, "no such flag: "+nf.Key, http.StatusNotFound)
			return
		}
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var cfg FlagConfig
	if err = json.Unmarshal(raw, &cfg); err != nil {
		http.Error(w, "corrupt flag", http.StatusInternalServerError)
		return
	}
	if cfg.Bits.Has(BitArchived) {
		http.Error(w, "flag is archived", http.StatusConflict)
		return
	}
	prevBits := cfg.Bits
	cfg.Bits |= BitPublished
	cfg.Bits &^= BitDraft
	if req.Enable {
		cfg.Bits |= BitEnabled
	}
	if req.Kill {
		cfg.Bits |= BitKillSwitch
		cfg.Bits &^= BitEnabled
	}
	cfg.Version++
	cfg.Rollout = req.Rollout
	cfg.PublishedAt = now
	cfg.PublishedBy = req.Actor
	raw, err = json.Marshal(cfg)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if err = a.kv.Put(ctx, key, raw); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}

	key = kvkeys.PrefixFlagHistory + env + ":" + name
	var hist []HistoryEntry
	raw, err = a.kv.Get(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &hist); err != nil {
			a.log.Warn("history unreadable, starting over", "key", key, "err", err)
			hist = nil
		}
	case kvstore.IsNotFound(err):
	default:
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	hist = append(hist, HistoryEntry{Version: cfg.Version, Bits: cfg.Bits, Rollout: cfg.Rollout, By: req.Actor, At: now})
	if len(hist) > maxHistory {
		hist = hist[len(hist)-maxHistory:]
	}
	if raw, err = json.Marshal(hist); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if err = a.kv.Put(ctx, key, raw); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}

	// Warm the overrides cache so the first evaluation after a publish
	// doesn't fall through to the control plane.
	{
		key := kvkeys.PrefixOverride + env + ":" + name
		if _, err := a.kv.Get(ctx, key); kvstore.IsNotFound(err) {
			raw, err := a.origin.Overrides(ctx, env, name)
			if err != nil {
				a.log.Warn("overrides warm-up failed", "env", env, "flag", name, "err", err)
			} else if err := a.kv.PutCached(ctx, key, raw, overrideMaxAge); err != nil {
				a.log.Warn("overrides cache write failed", "key", key, "err", err)
			}
		}
	}

	if req.Snapshot {
		key = kvkeys.PrefixEnvSnapshot + env
		if raw, err = a.origin.Snapshot(ctx, env); err == nil {
			err = a.kv.PutWithTTL(ctx, key, raw, kvkeys.SnapshotTTL)
		}
		if err != nil {
			a.log.Warn("snapshot refresh failed", "env", env, "err", err)
		}
	}

	key = kvkeys.KeyLastPublish
	raw, _ = json.Marshal(map[string]any{"env": env, "flag": name, "version": cfg.Version, "at": now})
	if err = a.kv.Put(ctx, key, raw); err != nil { // EXPECT kvhotkey
		a.log.Warn("last-publish marker not written", "err", err)
	}

	if err := a.audit.Record(ctx, audit.Event{
		Env:    env,
		Actor:  req.Actor,
		Action: "flag.publish",
		Target: name,
		Detail: prevBits.String() + " -> " + cfg.Bits.String() + " v" + strconv.Itoa(cfg.Version),
	}); err != nil {
		a.log.Error("audit write failed", "err", err)
	}
	if err := a.audit.AppendLog(ctx, env, req.Actor+" published "+name+" v"+strconv.Itoa(cfg.Version)); err != nil {
		a.log.Warn("audit log append failed", "err", err)
	}
	writeJSON(w, http.StatusOK, cfg)
}

// handleSnapshot serves the whole environment as one document, cached in KV.
func handleSnapshot(a *API, w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	env := r.PathValue("env")
	key := kvkeys.PrefixEnvSnapshot + env
	raw, err := a.kv.Get(ctx, key)
	if err != nil {
		var nf *kvstore.NotFoundError
		if !errors.As(err, &nf) {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if raw, err = a.origin.Snapshot(ctx, env); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if err := a.kv.PutWithTTL(ctx, key, raw, kvkeys.SnapshotTTL); err != nil {
			a.log.Warn("snapshot cache write failed", "key", key, "err", err)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(raw)
}

// handleEvaluate is the SDK hot path: it answers from the snapshot and
// records when SDKs were last heard from.
func handleEvaluate(a *API, w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	env := r.Header.Get("X-Flag-Env")
	if env == "" {
		http.Error(w, "missing X-Flag-Env", http.StatusBadRequest)
		return
	}
	raw, err := a.kv.Get(ctx, kvkeys.PrefixEnvSnapshot+env)
	if kvstore.IsNotFound(err) {
		http.Error(w, "environment not published", http.StatusNotFound)
		return
	} else if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	seen := []byte(env + " " + time.Now().UTC().Format(time.RFC3339))
	if err := a.kv.Put(ctx, kvkeys.KeySDKLastSeen, seen); err != nil { // EXPECT kvhotkey
		a.log.Debug("last-seen not recorded", "err", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(raw)
}
