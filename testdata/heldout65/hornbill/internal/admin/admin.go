// Package admin is the internal admin service. It predates the move to
// cloudflare-go v5 and still uses the v2 SDK; support staff use it to look
// up customers, seed coupons and toggle maintenance mode.
package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
	"github.com/cloudflare/cloudflare-go/v2/option"
)

// Admin wraps the v2 client for one namespace.
type Admin struct {
	cf          *cloudflare.Client
	accountID   string
	namespaceID string
	log         *slog.Logger
}

// New returns an Admin for the namespace.
func New(apiToken, accountID, namespaceID string, log *slog.Logger) *Admin {
	return &Admin{
		cf:          cloudflare.NewClient(option.WithAPIToken(apiToken)),
		accountID:   accountID,
		namespaceID: namespaceID,
		log:         log,
	}
}

func (a *Admin) get(ctx context.Context, key string) ([]byte, error) {
	res, err := a.cf.KV.Namespaces.Values.Get(ctx, a.namespaceID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(a.accountID)})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (a *Admin) put(ctx context.Context, key string, value []byte) error {
	_, err := a.cf.KV.Namespaces.Values.Update(ctx, a.namespaceID, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(a.accountID),
		Value:     cloudflare.F(string(value)),
		Metadata:  cloudflare.F("{}"),
	})
	return err
}

// CustomerSummary is one row of the support customer list.
type CustomerSummary struct {
	Key        string
	CustomerID string
	Expires    time.Time
}

// ListCustomers returns every account→customer link for the support table.
func (a *Admin) ListCustomers(ctx context.Context) ([]CustomerSummary, error) {
	var out []CustomerSummary
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(a.accountID), Prefix: cloudflare.F("acct:"), Limit: cloudflare.F(1000.0)}
	for {
		page, err := a.cf.KV.Namespaces.Keys.List(ctx, a.namespaceID, params) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(page.Result) == 0 {
			break
		}
		for _, k := range page.Result {
			s := CustomerSummary{Key: k.Name}
			if k.Expiration > 0 {
				s.Expires = time.Unix(int64(k.Expiration), 0)
			}
			if id, ok := k.Metadata["customer"].(string); ok {
				s.CustomerID = id
			}
			out = append(out, s)
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	return out, nil
}

// ExportPlans returns the names of every plan key for the nightly backup.
func (a *Admin) ExportPlans(ctx context.Context) ([]string, error) {
	var names []string
	page, err := a.cf.KV.Namespaces.Keys.List(ctx, a.namespaceID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(a.accountID),
		Prefix:    cloudflare.F("plan:"),
	})
	for err == nil {
		for _, k := range page.Result {
			names = append(names, k.Name)
		}
		if page.ResultInfo.Cursor == "" {
			return names, nil
		}
		page, err = a.cf.KV.Namespaces.Keys.List(ctx, a.namespaceID, kv.NamespaceKeyListParams{ // EXPECT kvlist
			AccountID: cloudflare.F(a.accountID),
			Cursor:    cloudflare.F(page.ResultInfo.Cursor),
		})
	}
	return nil, err
}

// AuditExpiring returns keys under prefix that expire within a day, for the
// "expiring soon" support report. One request is enough for the report.
func (a *Admin) AuditExpiring(ctx context.Context, prefix string) ([]string, string, error) {
	page, err := a.cf.KV.Namespaces.Keys.List(ctx, a.namespaceID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(a.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5000.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	soon := time.Now().Add(24 * time.Hour).Unix()
	var out []string
	for _, k := range page.Result {
		if k.Expiration > 0 && int64(k.Expiration) < soon {
			out = append(out, k.Name)
		}
	}
	return out, page.ResultInfo.Cursor, nil
}

// FeatureFlag reports whether a global flag is on. Flags are stored as
// "true"/"false" under flag:<name>.
func (a *Admin) FeatureFlag(ctx context.Context, name string) (bool, error) {
	body, err := a.get(ctx, "flag:"+name)
	if err != nil {
		return false, err
	}
	if len(body) == 0 { // EXPECT kvnull
		return false, nil
	}
	return strings.TrimSpace(string(body)) == "true", nil
}

// SetFeatureFlag turns a global flag on or off.
func (a *Admin) SetFeatureFlag(ctx context.Context, name string, on bool) error {
	return a.put(ctx, "flag:"+name, []byte(fmt.Sprint(on)))
}

// RevokeAPIKey removes a customer's API key so the edge stops accepting it.
func (a *Admin) RevokeAPIKey(ctx context.Context, keyID string) error {
	_, err := a.cf.KV.Namespaces.Values.Delete(ctx, a.namespaceID, "apikey:"+keyID, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(a.accountID)}) // EXPECT kvsession
	return err
}

// RebuildPlanIndex rewrites the index of plan names that the pricing page
// reads, after support edits a plan.
func (a *Admin) RebuildPlanIndex(ctx context.Context, plans []string) error {
	index := make([]string, 0, len(plans))
	for _, p := range plans {
		raw, err := a.get(ctx, "plan:"+p)
		if err != nil {
			a.log.Warn("rebuild index: skip plan", "plan", p, "err", err)
			continue
		}
		var meta struct {
			Hidden bool `json:"hidden"`
		}
		if json.Unmarshal(raw, &meta) == nil && meta.Hidden {
			continue
		}
		index = append(index, p)
		b, _ := json.Marshal(index)
		if err := a.put(ctx, "catalog:index", b); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}
