//go:build js && wasm

// Package admin is the tenant-facing management API of the Worker: publishing
// flag sets, browsing overrides, key maintenance and preview links.
package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fernhill/plover/internal/flags"
	"github.com/fernhill/plover/internal/kvstore"
	"github.com/fernhill/plover/internal/plan"
	"github.com/syumai/workers/cloudflare"
)

// ErrSubdomainTaken is returned when a vanity subdomain already belongs to a tenant.
var ErrSubdomainTaken = errors.New("admin: subdomain taken")

// previewWindow is how long a shared preview link stays valid.
const previewWindow = 45 * time.Second

// API serves /admin/*.
type API struct {
	Root      *kvstore.Store
	Evaluator *flags.Evaluator
	Overrides *flags.Overrides
}

func (a *API) forTenant(tenant string) *kvstore.Store {
	return a.Root.Sub("t:" + tenant + ":")
}

// keyOps are the maintenance operations an operator can apply to one key.
var keyOps = map[string]func(*kvstore.Store, context.Context, string) error{
	"purge":  (*kvstore.Store).Delete,
	"expire": (*kvstore.Store).Tombstone,
}

func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	tenant := r.Header.Get("X-Tenant")
	tier := r.Header.Get("X-Plan")
	var err error
	var out any
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/admin/publish":
		err = a.publish(ctx, r, tenant, tier)
	case r.Method == http.MethodGet && r.URL.Path == "/admin/overrides":
		out, err = a.listOverrides(ctx, tenant)
	case r.Method == http.MethodGet && r.URL.Path == "/admin/keys":
		out, err = a.keysPage(ctx, tenant, r.URL.Query().Get("cursor"))
	case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/admin/keys/"):
		op, ok := keyOps[r.URL.Query().Get("op")]
		if !ok {
			http.Error(w, "unknown op", http.StatusBadRequest)
			return
		}
		err = op(a.forTenant(tenant), ctx, strings.TrimPrefix(r.URL.Path, "/admin/keys/"))
	case r.Method == http.MethodPost && r.URL.Path == "/admin/default":
		uow := a.forTenant(tenant).Begin()
		defer uow.Commit(ctx)
		err = a.Overrides.SetDefault(ctx, uow, tenant, tier, r.FormValue("flag"), r.FormValue("variant"))
	case r.Method == http.MethodPost && r.URL.Path == "/admin/preview":
		out, err = a.preview(ctx, tenant, r.FormValue("flag"), r.FormValue("variant"))
	case r.Method == http.MethodPost && r.URL.Path == "/admin/subdomain":
		err = a.claimSubdomain(ctx, tenant, r.FormValue("name"))
	case r.Method == http.MethodGet && r.URL.Path == "/admin/manifest":
		out, err = a.manifest(ctx)
	default:
		http.NotFound(w, r)
		return
	}
	switch {
	case errors.Is(err, ErrSubdomainTaken):
		http.Error(w, err.Error(), http.StatusConflict)
	case errors.Is(err, flags.ErrTooManyRules):
		http.Error(w, err.Error(), http.StatusPaymentRequired)
	case err != nil:
		http.Error(w, err.Error(), http.StatusInternalServerError)
	case out != nil:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

type publishRequest struct {
	Flags []flags.Flag `json:"flags"`
}

func (a *API) publish(ctx context.Context, r *http.Request, tenant, tier string) error {
	var req publishRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	ts := a.forTenant(tenant)
	uow := ts.Begin()
	names := make([]string, 0, len(req.Flags))
	for _, f := range req.Flags {
		names = append(names, f.Key)
		uow.Put("index", strings.Join(names, ","), 0)
		uow.Put("version:"+f.Key, strconv.Itoa(f.Version), plan.For(tier).OverrideTTL)
	}
	if err := uow.Commit(ctx); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if err := a.Evaluator.Warm(ctx, tenant, tier, req.Flags); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	for i := range req.Flags {
		if req.Flags[i].EndsAt.IsZero() {
			continue
		}
		if err := a.Overrides.CacheExperimentEnd(ctx, tenant, &req.Flags[i]); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
	}
	stamp := time.Now().UTC().Format(time.RFC3339)
	bucket := time.Now().Truncate(time.Minute).Unix()
	if err := a.Root.Put(ctx, "publishes:"+strconv.FormatInt(bucket, 10), tenant, 24*time.Hour); err != nil { // DEBATABLE kvhotkey
		return err
	}
	return a.Root.Put(ctx, "manifest:last-published", stamp, 0) // EXPECT kvhotkey
}

// listOverrides returns the names of all override documents of a tenant.
func (a *API) listOverrides(ctx context.Context, tenant string) ([]string, error) {
	res, err := a.Root.Namespace().List(&cloudflare.KVNamespaceListOptions{ // EXPECT kvlist
		Prefix: "t:" + tenant + ":ovrdoc:",
	})
	if err != nil {
		return nil, fmt.Errorf("list overrides: %w", err)
	}
	names := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		names = append(names, strings.TrimPrefix(k.Name, "t:"+tenant+":ovrdoc:"))
	}
	return names, nil
}

type keysResponse struct {
	Keys   []string `json:"keys"`
	Cursor string   `json:"cursor,omitempty"`
}

func (a *API) keysPage(ctx context.Context, tenant, cursor string) (*keysResponse, error) {
	page, err := a.forTenant(tenant).List(ctx, "",
		cursor,
		2000, // EXPECT kvlimits
	)
	if err != nil {
		return nil, err
	}
	resp := &keysResponse{Keys: page.Names}
	if !page.Complete {
		resp.Cursor = page.Cursor
	}
	return resp, nil
}

func (a *API) preview(ctx context.Context, tenant, flag, variant string) (map[string]string, error) {
	id := strconv.FormatInt(time.Now().UnixNano(), 36)
	body, _ := json.Marshal(map[string]string{"flag": flag, "variant": variant})
	err := a.Root.Namespace().PutString("t:"+tenant+":preview:"+id, string(body), &cloudflare.KVNamespacePutOptions{
		Expiration: int(time.Now().Add(previewWindow).Unix()), // EXPECT kvttl
	})
	if err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	return map[string]string{"id": id}, nil
}

func (a *API) claimSubdomain(ctx context.Context, tenant, name string) error {
	key := "subdomain:" + strings.ToLower(name)
	owner, found, err := a.Root.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("claim subdomain: %w", err)
	}
	if found && owner != tenant {
		return ErrSubdomainTaken
	}
	return a.Root.Put(ctx, key, tenant, 0) // EXPECT kvrace
}

// manifest returns the global manifest that lists active tenants.
func (a *API) manifest(ctx context.Context) (map[string]any, error) {
	raw, err := a.Root.Namespace().GetString("manifest", nil) // EXPECT kvnull
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	return m, nil
}
