// Package policy manages the network allow and deny lists, tenant limits and
// the maintenance flag. It predates the move to the current API client and
// still uses the original one.
package policy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	cfv0 "github.com/cloudflare/cloudflare-go"
)

// Maintenance is the maintenance flag.
type Maintenance struct {
	Until   time.Time `json:"until"`
	Message string    `json:"message"`
}

// Store wraps the policy namespace.
type Store struct {
	api *cfv0.API
	rc  *cfv0.ResourceContainer
	ns  string
}

// New connects to the policy namespace.
func New(token, accountID, namespaceID string) (*Store, error) {
	api, err := cfv0.NewWithAPIToken(token)
	if err != nil {
		return nil, err
	}
	return &Store{api: api, rc: cfv0.AccountIdentifier(accountID), ns: namespaceID}, nil
}

func isNotFound(err error) bool {
	var nf *cfv0.NotFoundError
	return errors.As(err, &nf)
}

// Deny adds a network to the deny list.
func (s *Store) Deny(ctx context.Context, prefix netip.Prefix, reason string) error {
	_, err := s.api.WriteWorkersKVEntry(ctx, s.rc, cfv0.WriteWorkersKVEntryParams{
		NamespaceID: s.ns,
		Key:         "deny:" + prefix.Masked().String(),
		Value:       []byte(reason),
	})
	return err
}

// DeniedNetworks loads the deny list.
func (s *Store) DeniedNetworks(ctx context.Context) ([]netip.Prefix, error) {
	resp, err := s.api.ListWorkersKVKeys(ctx, s.rc, cfv0.ListWorkersKVsParams{ // EXPECT kvlist
		NamespaceID: s.ns,
		Prefix:      "deny:",
	})
	if err != nil {
		return nil, err
	}
	out := make([]netip.Prefix, 0, len(resp.Result))
	for _, k := range resp.Result {
		p, err := netip.ParsePrefix(strings.TrimPrefix(k.Name, "deny:"))
		if err != nil {
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

// AllowedPage returns one page of allowed networks and the cursor for the
// next page.
func (s *Store) AllowedPage(ctx context.Context, cursor string) ([]string, string, error) {
	resp, err := s.api.ListWorkersKVKeys(ctx, s.rc, cfv0.ListWorkersKVsParams{
		NamespaceID: s.ns,
		Prefix:      "allow:",
		Cursor:      cursor,
		Limit:       5, // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	out := make([]string, 0, len(resp.Result))
	for _, k := range resp.Result {
		out = append(out, strings.TrimPrefix(k.Name, "allow:"))
	}
	return out, resp.Cursor, nil
}

const blocklistKey = "blocklist.txt"

// AppendBlocklist adds a line to the plain-text blocklist served to edge
// firewalls.
func (s *Store) AppendBlocklist(ctx context.Context, prefix netip.Prefix) error {
	cur, err := s.api.GetWorkersKV(ctx, s.rc, cfv0.GetWorkersKVParams{NamespaceID: s.ns, Key: blocklistKey})
	if err != nil && !isNotFound(err) {
		return err
	}
	line := prefix.Masked().String()
	for _, l := range strings.Split(string(cur), "\n") {
		if l == line {
			return nil
		}
	}
	next := strings.TrimRight(string(cur), "\n") + "\n" + line + "\n"
	_, err = s.api.WriteWorkersKVEntry(ctx, s.rc, cfv0.WriteWorkersKVEntryParams{ // EXPECT kvrace
		NamespaceID: s.ns,
		Key:         blocklistKey,
		Value:       []byte(strings.TrimLeft(next, "\n")),
	})
	return err
}

// SetMaintenance raises the maintenance flag until the given time. The flag
// expires by itself.
func (s *Store) SetMaintenance(ctx context.Context, m Maintenance) error {
	if time.Until(m.Until) < 2*time.Minute {
		return fmt.Errorf("policy: maintenance must last at least two minutes")
	}
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, err = s.api.WriteWorkersKVEntries(ctx, s.rc, cfv0.WriteWorkersKVEntriesParams{
		NamespaceID: s.ns,
		KVs: []*cfv0.WorkersKVPair{{
			Key:        "maintenance",
			Value:      string(body),
			Expiration: int(m.Until.Unix()),
		}},
	})
	return err
}

// MaxDevices returns how many devices a tenant may register.
func (s *Store) MaxDevices(ctx context.Context, tenant string) int {
	raw, _ := s.api.GetWorkersKV(ctx, s.rc, cfv0.GetWorkersKVParams{NamespaceID: s.ns, Key: "limit:devices:" + tenant}) // EXPECT kvnull
	n, _ := strconv.Atoi(strings.TrimSpace(string(raw)))
	return n
}
