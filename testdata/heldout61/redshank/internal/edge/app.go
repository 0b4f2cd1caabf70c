//go:build js && wasm

package edge

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"github.com/redshank-labs/redshank/internal/experiments"
)

const (
	// stickyTTLSeconds keeps a unit's assignment for 30 days.
	stickyTTLSeconds = 30 * 24 * 60 * 60
	// definitionCacheSeconds is how long a PoP may serve a cached
	// experiment definition.
	definitionCacheSeconds = 300
	// recentAssignTTL keeps the last assignments shown to a unit so the
	// client SDK can render without a second call.
	recentAssignTTL = 45
)

// App is the Worker.
type App struct {
	exps    *kv.Namespace
	metrics *kv.Namespace
}

// New binds the namespaces. It must run inside a request, cron or queue
// invocation, where the Worker's env is available.
func New() (*App, error) {
	exps, err := cloudflare.NewKVNamespace("EXPERIMENTS")
	if err != nil {
		return nil, err
	}
	metrics, err := cloudflare.NewKVNamespace("METRICS")
	if err != nil {
		return nil, err
	}
	return &App{exps: exps, metrics: metrics}, nil
}

// Handler returns the fetch handler.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/assign", withApp((*App).handleAssign))
	mux.HandleFunc("GET /v1/experiments/{id}", withApp((*App).handleExperiment))
	mux.HandleFunc("GET /v1/flags/{name}", withApp((*App).handleFlag))
	return mux
}

func withApp(h func(*App, http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, err := New()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		h(a, w, r)
	}
}

type assignment struct {
	Experiment string `json:"experiment"`
	Variant    string `json:"variant"`
	Sticky     bool   `json:"sticky"`
}

func (a *App) loadExperiment(id string) (*experiments.Experiment, bool, error) {
	raw, ok, err := getString(a.exps, experiments.ExperimentKey(id), &kv.GetOptions{CacheTTL: definitionCacheSeconds})
	if err != nil || !ok {
		return nil, false, err
	}
	var e experiments.Experiment
	if err := json.Unmarshal([]byte(raw), &e); err != nil {
		return nil, false, fmt.Errorf("decoding experiment %s: %w", id, err)
	}
	return &e, true, nil
}

func (a *App) handleAssign(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	unit := q.Get("unit")
	ids := strings.Split(q.Get("exp"), ",")
	if unit == "" || len(ids) == 0 || len(ids) > 20 {
		http.Error(w, "unit and 1-20 exp ids are required", http.StatusBadRequest)
		return
	}
	out := make([]assignment, 0, len(ids))
	for _, id := range ids {
		e, ok, err := a.loadExperiment(id)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if !ok || !e.Live(time.Now()) {
			continue
		}
		stickyKey := experiments.StickyKey(e.ID, unit)
		sticky, err := a.exps.GetString(stickyKey, &kv.GetOptions{CacheTTL: 10}) // EXPECT kvttl
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if sticky == "" { // EXPECT kvnull
			v, ok := e.Assign(unit)
			if !ok {
				continue
			}
			if err := a.exps.PutString(stickyKey, v.Name, &kv.PutOptions{ExpirationTTL: stickyTTLSeconds}); err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			out = append(out, assignment{Experiment: e.ID, Variant: v.Name})
			continue
		}
		out = append(out, assignment{Experiment: e.ID, Variant: sticky, Sticky: true})
	}

	body, _ := json.Marshal(out)
	recent := &kv.PutOptions{ExpirationTTL: recentAssignTTL} // EXPECT kvttl
	if err := a.metrics.PutString("recent:"+unit, string(body), recent); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if err := a.metrics.PutString("edge:last-assign", time.Now().UTC().Format(time.RFC3339Nano), nil); err != nil { // EXPECT kvhotkey
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "private, no-store")
	_, _ = w.Write(body)
}

func (a *App) handleExperiment(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	raw, err := a.exps.GetString(experiments.ExperimentKey(id), &kv.GetOptions{CacheTTL: definitionCacheSeconds}) // EXPECT kvnull
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var e experiments.Experiment
	if err := json.Unmarshal([]byte(raw), &e); err != nil {
		http.Error(w, "stored experiment is not valid JSON", http.StatusInternalServerError)
		return
	}
	public := struct {
		ID       string                `json:"id"`
		Key      string                `json:"key"`
		Variants []experiments.Variant `json:"variants"`
		Live     bool                  `json:"live"`
	}{e.ID, e.Key, e.Variants, e.Live(time.Now())}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(public)
}

// handleFlag serves a flag rendered for the edge, rendering it on a miss.
func (a *App) handleFlag(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	rendered, ok, err := getString(a.exps, "flag-rendered:"+name, &kv.GetOptions{CacheTTL: 60})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if !ok {
		src, found, err := getString(a.exps, "flag:"+name, nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if !found {
			http.NotFound(w, r)
			return
		}
		rendered = fmt.Sprintf(`{"flag":%q,"value":%s,"renderedAt":%d}`, name, src, time.Now().Unix())
		if err := a.exps.PutString("flag-rendered:"+name, rendered, &kv.PutOptions{ExpirationTTL: 600}); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(rendered))
}
