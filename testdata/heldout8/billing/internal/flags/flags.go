// Package flags reads billing feature flags and per-customer overrides.
// Flags are edited from the admin console and read on every request, which
// is the access pattern KV is built for.
package flags

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
)

// Set is the flag document for one environment.
type Set struct {
	Flags     map[string]bool `json:"flags"`
	UpdatedAt time.Time       `json:"updated_at"`
	UpdatedBy string          `json:"updated_by"`
}

// Defaults is what a fresh environment starts with.
func Defaults() Set {
	return Set{Flags: map[string]bool{
		"usage-based-invoices": true,
		"proration-v2":         false,
		"tax-autocalc":         false,
		"dunning-emails":       true,
	}}
}

// Override is a per-customer flag value.
type Override struct {
	CustomerID string
	Flag       string
	Enabled    bool
}

// Client reads and writes flags.
type Client struct {
	values    *kv.NamespaceValueService
	keys      *kv.NamespaceKeyService
	accountID string
	nsID      string
	env       string
}

// NewClient returns a Client for the flags of environment env.
func NewClient(c *cloudflare.Client, accountID, nsID, env string) *Client {
	return &Client{values: c.KV.Namespaces.Values, keys: c.KV.Namespaces.Keys, accountID: accountID, nsID: nsID, env: env}
}

func (c *Client) setKey() string { return "flags:" + c.env }

func overrideKey(customerID string) string { return "flags:override:" + customerID }

// Load returns the environment's flag set.
func (c *Client) Load(ctx context.Context) (Set, error) {
	res, err := c.values.Get(ctx, c.nsID, c.setKey(), kv.NamespaceValueGetParams{AccountID: cloudflare.String(c.accountID)}) // EXPECT kvnull
	if err != nil {
		// New environment: start it from the defaults.
		set := Defaults()
		set.UpdatedBy = "bootstrap"
		return set, c.Save(ctx, set)
	}
	defer res.Body.Close()
	var set Set
	if err := json.NewDecoder(res.Body).Decode(&set); err != nil {
		return Set{}, fmt.Errorf("flags: decode %s: %w", c.setKey(), err)
	}
	return set, nil
}

// Save replaces the environment's flag set.
func (c *Client) Save(ctx context.Context, set Set) error {
	set.UpdatedAt = time.Now().UTC()
	raw, err := json.Marshal(set)
	if err != nil {
		return err
	}
	_, err = c.values.Update(ctx, c.nsID, c.setKey(), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.String(c.accountID),
		Value:     cloudflare.String(string(raw)),
		Metadata:  cloudflare.String(fmt.Sprintf(`{"by":%q}`, set.UpdatedBy)),
	})
	return err
}

// SetOverride pins flag for one customer. Each (customer, flag) pair is its
// own key so console edits never clobber each other.
func (c *Client) SetOverride(ctx context.Context, o Override) error {
	_, err := c.values.Update(ctx, c.nsID, overrideKey(o.CustomerID)+":"+o.Flag, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.String(c.accountID),
		Value:     cloudflare.String(strconv.FormatBool(o.Enabled)),
		Metadata:  cloudflare.String(`{"source":"console"}`),
	})
	return err
}

// Enabled resolves flag for customerID: override first, then the set.
func (c *Client) Enabled(ctx context.Context, set Set, customerID, flag string) (bool, error) {
	res, err := c.values.Get(ctx, c.nsID, overrideKey(customerID)+":"+flag, kv.NamespaceValueGetParams{AccountID: cloudflare.String(c.accountID)})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return set.Flags[flag], nil
		}
		return false, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return false, err
	}
	return strconv.ParseBool(strings.TrimSpace(string(raw)))
}

// CustomersWithOverrides lists every customer that has at least one override,
// for the admin console's audit view.
func (c *Client) CustomersWithOverrides(ctx context.Context) ([]string, error) {
	var out []string
	iter := c.keys.ListAutoPaging(ctx, c.nsID, kv.NamespaceKeyListParams{AccountID: cloudflare.String(c.accountID), Prefix: cloudflare.String("flags:override:")}) // EXPECT kvlist
	for iter.Next() {
		cust, _, _ := strings.Cut(strings.TrimPrefix(iter.Current().Name, "flags:override:"), ":")
		if n := len(out); n == 0 || out[n-1] != cust {
			out = append(out, cust)
		}
	}
	if err := iter.Err(); err != nil {
		return nil, err
	}
	sort.Strings(out)
	return out, nil
}

// OverridePage returns a small page of override keys for the console's
// landing page, with the cursor for "show more".
func (c *Client) OverridePage(ctx context.Context, cursor string) ([]string, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.String(c.accountID),
		Prefix:    cloudflare.String("flags:override:"),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	}
	if cursor != "" {
		params.Cursor = cloudflare.String(cursor)
	}
	page, err := c.keys.List(ctx, c.nsID, params)
	if err != nil {
		return nil, "", err
	}
	out := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		out = append(out, strings.TrimPrefix(k.Name, "flags:override:"))
	}
	return out, page.ResultInfo.Cursor, nil
}
