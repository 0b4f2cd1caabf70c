// Package ops holds the operator tasks run from the admin CLI and the
// internal admin endpoints. They talk to the KV namespace directly through
// the Cloudflare SDK rather than through the service's store port.
package ops

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

// Admin runs operator tasks against one namespace.
type Admin struct {
	ns        *kv.NamespaceService
	account   string
	namespace string
}

// New returns an Admin.
func New(client *cloudflare.Client, account, namespace string) *Admin {
	return &Admin{ns: client.KV.Namespaces, account: account, namespace: namespace}
}

func (a *Admin) acct() kv.NamespaceValueGetParams {
	return kv.NamespaceValueGetParams{AccountID: cloudflare.F(a.account)}
}

func notFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (a *Admin) read(ctx context.Context, key string) ([]byte, bool, error) {
	resp, err := a.ns.Values.Get(ctx, a.namespace, key, a.acct())
	if notFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return b, err == nil, err
}

// AllowOrigin adds an origin to a site's embed allowlist.
func (a *Admin) AllowOrigin(ctx context.Context, site, origin string) error {
	key := "allow:" + site
	raw, ok, err := a.read(ctx, key)
	if err != nil {
		return err
	}
	var origins []string
	if ok {
		if err := json.Unmarshal(raw, &origins); err != nil {
			return err
		}
	}
	if slices.Contains(origins, origin) {
		return nil
	}
	origins = append(origins, origin)
	body, _ := json.Marshal(origins)
	_, err = a.ns.Values.Update(ctx, a.namespace, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(a.account),
		Value:     cloudflare.F(string(body)),
	})
	return err
}

// BumpPageViews counts a view of a poll's landing page.
func (a *Admin) BumpPageViews(ctx context.Context, slug string) error {
	key := "pageviews:" + slug
	raw, ok, err := a.read(ctx, key)
	if err != nil {
		return err
	}
	n := 0
	if ok {
		n, _ = strconv.Atoi(string(raw))
	}
	_, err = a.ns.Values.Update(ctx, a.namespace, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID: cloudflare.F(a.account),
		Value:     cloudflare.F(strconv.Itoa(n + 1)),
	})
	return err
}

// PurgePoll deletes every stored vote of a poll, e.g. after a legal request.
func (a *Admin) PurgePoll(ctx context.Context, pollID string) (int, error) {
	res, err := a.ns.Keys.List(ctx, a.namespace, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(a.account),
		Prefix:    cloudflare.F("vote:" + pollID + ":"),
	})
	if err != nil {
		return 0, err
	}
	names := make([]string, 0, len(res.Result))
	for _, k := range res.Result {
		names = append(names, k.Name)
	}
	if len(names) == 0 {
		return 0, nil
	}
	_, err = a.ns.BulkDelete(ctx, a.namespace, kv.NamespaceBulkDeleteParams{AccountID: cloudflare.F(a.account), Body: names})
	return len(names), err
}

// AuditKeys reports how many keys live under each known prefix.
func (a *Admin) AuditKeys(ctx context.Context) (map[string]int, error) {
	counts := map[string]int{}
	pager := a.ns.Keys.ListAutoPaging(ctx, a.namespace, kv.NamespaceKeyListParams{AccountID: cloudflare.F(a.account)}) // EXPECT kvlist
	for pager.Next() {
		prefix, _, _ := strings.Cut(pager.Current().Name, ":")
		counts[prefix]++
	}
	return counts, pager.Err()
}

// ExpiringSoon lists keys under prefix that expire within d, looking at no
// more than scanBudget keys.
func (a *Admin) ExpiringSoon(ctx context.Context, prefix string, d time.Duration, scanBudget int) ([]string, error) {
	var out []string
	deadline := float64(time.Now().Add(d).Unix())
	pager := a.ns.Keys.ListAutoPaging(ctx, a.namespace, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(a.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	})
	for scanned := 0; scanned < scanBudget && pager.Next(); scanned++ {
		if k := pager.Current(); k.Expiration > 0 && k.Expiration < deadline {
			out = append(out, k.Name)
		}
	}
	return out, pager.Err()
}

// LargestPage lists the first keys of a prefix in one request, for the
// debugging page.
func (a *Admin) LargestPage(ctx context.Context, prefix string) ([]string, string, error) {
	res, err := a.ns.Keys.List(ctx, a.namespace, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(a.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5000.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	names := make([]string, len(res.Result))
	for i, k := range res.Result {
		names[i] = k.Name
	}
	return names, res.ResultInfo.Cursors.After, nil
}

// Sample returns a handful of keys for a prefix, for the dashboard preview.
func (a *Admin) Sample(ctx context.Context, prefix string) ([]string, string, error) {
	res, err := a.ns.Keys.List(ctx, a.namespace, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(a.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	names := make([]string, len(res.Result))
	for i, k := range res.Result {
		names[i] = k.Name
	}
	return names, res.ResultInfo.Cursors.After, nil
}

// RevokeEmbedToken deletes an embed token record so the edge stops
// honouring it.
func (a *Admin) RevokeEmbedToken(ctx context.Context, jti string) error {
	_, err := a.ns.Values.Delete(ctx, a.namespace, "embedtok:"+jti, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(a.account)}) // EXPECT kvsession
	if notFound(err) {
		return nil
	}
	return err
}

// Flags are the feature switches the API reads at start-up.
type Flags struct {
	LiveTier      bool `json:"live_tier"`
	EdgeVoting    bool `json:"edge_voting"`
	ExportsPaused bool `json:"exports_paused"`
}

// FeatureFlags reads the current feature switches.
func (a *Admin) FeatureFlags(ctx context.Context) (Flags, error) {
	var f Flags
	resp, _ := a.ns.Values.Get(ctx, a.namespace, "config:flags", a.acct()) // EXPECT kvnull
	defer resp.Body.Close()
	return f, json.NewDecoder(resp.Body).Decode(&f)
}
