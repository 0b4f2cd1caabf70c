//go:build js && wasm

package edge

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
)

const adminListPages = 5

// Admin serves the platform team's edge admin endpoints.
type Admin struct{}

func (a Admin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ns, err := openNamespaces(r.Context())
	if err != nil {
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return
	}
	switch strings.TrimPrefix(r.URL.Path, "/_rosefinch/admin/") {
	case "routes":
		if r.Method == http.MethodPost {
			a.publishRoutes(w, r, ns)
			return
		}
		a.listRoutes(w, ns)
	case "aliases":
		a.listAliases(w, ns)
	case "claims":
		a.listClaims(w, ns)
	case "claim":
		a.claimSlug(w, r, ns)
	case "deploys":
		a.recordDeploy(w, r, ns)
	default:
		http.NotFound(w, r)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (Admin) listRoutes(w http.ResponseWriter, ns *namespaces) {
	var hosts []string
	opts := &cloudflare.KVNamespaceListOptions{
		Prefix: "route:",
		Limit:  2000, // EXPECT kvlimits
	}
	for {
		res, err := ns.routes.List(opts) // EXPECT kvlist
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			hosts = append(hosts, strings.TrimPrefix(k.Name, "route:"))
		}
		opts.Cursor = res.Cursor
	}
	writeJSON(w, hosts)
}

// listAliases returns up to adminListPages pages of aliases and the cursor
// to continue from.
func (Admin) listAliases(w http.ResponseWriter, ns *namespaces) {
	out := map[string]any{}
	var names []string
	cursor := ""
	for page := 0; page < adminListPages; page++ {
		res, err := ns.routes.List(&cloudflare.KVNamespaceListOptions{Prefix: "alias:", Limit: 1000, Cursor: cursor})
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		for _, k := range res.Keys {
			names = append(names, strings.TrimPrefix(k.Name, "alias:"))
		}
		if res.ListComplete {
			cursor = ""
			break
		}
		cursor = res.Cursor
	}
	out["aliases"], out["cursor"] = names, cursor
	writeJSON(w, out)
}

func (Admin) listClaims(w http.ResponseWriter, ns *namespaces) {
	res, err := ns.routes.List(&cloudflare.KVNamespaceListOptions{Prefix: "claim:", Limit: 1000}) // EXPECT kvlist
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	slugs := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		slugs = append(slugs, strings.TrimPrefix(k.Name, "claim:"))
	}
	writeJSON(w, map[string]any{"total": len(slugs), "slugs": slugs})
}

// claimSlug reserves a vanity subdomain for a team.
func (Admin) claimSlug(w http.ResponseWriter, r *http.Request, ns *namespaces) {
	slug := strings.ToLower(r.FormValue("slug"))
	team := r.FormValue("team")
	if slug == "" || team == "" {
		http.Error(w, "slug and team are required", http.StatusBadRequest)
		return
	}
	owner, err := ns.routes.GetString("claim:"+slug, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if owner != kvNull {
		http.Error(w, fmt.Sprintf("%s is taken by %s", slug, owner), http.StatusConflict)
		return
	}
	if err := ns.routes.PutString("claim:"+slug, team, nil); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

// recordDeploy appends a line to the environment's deploy history.
func (Admin) recordDeploy(w http.ResponseWriter, r *http.Request, ns *namespaces) {
	env := r.FormValue("env")
	line := fmt.Sprintf("%s %s %s", time.Now().UTC().Format(time.RFC3339), r.FormValue("sha"), r.FormValue("actor"))
	key := "deploys:" + env
	history, err := ns.routes.GetString(key, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if history == kvNull {
		history = ""
	}
	if err := ns.routes.PutString(key, history+line+"\n", nil); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type routeUpdate struct {
	Host  string `json:"host"`
	Route route  `json:"route"`
}

// publishRoutes writes a batch of routes from the orchestrator.
func (Admin) publishRoutes(w http.ResponseWriter, r *http.Request, ns *namespaces) {
	var batch []routeUpdate
	if err := json.NewDecoder(r.Body).Decode(&batch); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	for i, u := range batch {
		raw, _ := json.Marshal(u.Route)
		if err := ns.routes.PutString("route:"+u.Host, string(raw), nil); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if err := ns.routes.PutString("routes:version", fmt.Sprintf("%d:%d", time.Now().Unix(), i), nil); err != nil { // EXPECT kvhotkey
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// Health reports liveness and records when the edge last served a probe.
func Health(w http.ResponseWriter, r *http.Request) {
	ns, err := openNamespaces(r.Context())
	if err != nil {
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return
	}
	if err := ns.routes.PutString("edge:health", time.Now().UTC().Format(time.RFC3339), nil); err != nil { // EXPECT kvhotkey
		http.Error(w, "kv unavailable", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ok"))
}
