// Package apikeys issues and checks organisation API keys. Keys are stored by
// the SHA-256 of their secret; the secret itself is shown once.
package apikeys

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"github.com/tinamou-id/tinamou/internal/kvstore"
)

const (
	keyPrefix   = "apikey:rec:"
	orgPrefix   = "apikey:org:"
	namePrefix  = "apikey:name:"
	usagePrefix = "apikey:usage:"
	logPrefix   = "apikey:log:"

	secretPrefix   = "tnm_"
	consolePage    = 50
	previewCount   = 5
	exportPageSize = 5000
	maxExportPages = 20
)

// ErrNameTaken is returned when an organisation already has a key with that name.
var ErrNameTaken = errors.New("apikeys: name already in use")

// ErrUnknownKey is returned for a secret that matches no key.
var ErrUnknownKey = errors.New("apikeys: unknown key")

// Key is the stored record of one API key.
type Key struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"org"`
	Name      string    `json:"name"`
	Scopes    []string  `json:"scopes"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

// Registry issues, checks and revokes API keys.
type Registry struct {
	ns *kvstore.Namespace

	mu    sync.Mutex
	usage map[string]int64
}

// NewRegistry returns a Registry over ns.
func NewRegistry(ns *kvstore.Namespace) *Registry {
	return &Registry{ns: ns, usage: make(map[string]int64)}
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func nameKey(orgID, name string) string {
	return namePrefix + orgID + ":" + strings.ToLower(name)
}

// Issue creates a key named name for orgID and returns its secret.
func (r *Registry) Issue(ctx context.Context, orgID, name, actor string, scopes []string) (string, *Key, error) {
	if _, err := r.ns.Get(ctx, nameKey(orgID, name)); err == nil {
		return "", nil, ErrNameTaken
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return "", nil, err
	}

	buf := make([]byte, 24)
	if _, err := rand.Read(buf); err != nil {
		return "", nil, err
	}
	secret := secretPrefix + hex.EncodeToString(buf)
	k := &Key{
		ID: hashSecret(secret), OrgID: orgID, Name: name, Scopes: scopes,
		CreatedAt: time.Now().UTC(), CreatedBy: actor,
	}
	if err := r.ns.Put(ctx, nameKey(orgID, name), []byte(k.ID), 0); err != nil { // EXPECT kvrace
		return "", nil, err
	}
	if err := r.store(ctx, k); err != nil {
		return "", nil, err
	}
	return secret, k, nil
}

func orgIndexPrefix(orgID string) string { return orgPrefix + orgID + ":" }

// store writes the record, then an index entry per organisation whose
// metadata carries the display name, so that listings need no read per key.
func (r *Registry) store(ctx context.Context, k *Key) error {
	enc, err := json.Marshal(k)
	if err != nil {
		return err
	}
	if err := r.ns.Put(ctx, keyPrefix+k.ID, enc, 0); err != nil {
		return err
	}
	_, err = r.ns.Client().KV.Namespaces.Values.Update(ctx, r.ns.ID(), url.PathEscape(orgIndexPrefix(k.OrgID)+k.ID), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(r.ns.AccountID()),
		Value:     cloudflare.F(k.Name),
		Metadata:  cloudflare.F[any](map[string]string{"name": k.Name, "created": k.CreatedAt.Format(time.DateOnly)}),
	})
	return err
}

// Authenticate resolves an API key secret.
func (r *Registry) Authenticate(ctx context.Context, secret string) (*Key, error) {
	if !strings.HasPrefix(secret, secretPrefix) {
		return nil, ErrUnknownKey
	}
	raw, err := r.ns.Get(ctx, keyPrefix+hashSecret(secret))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrUnknownKey
	}
	if err != nil {
		return nil, err
	}
	var k Key
	if err := json.Unmarshal(raw, &k); err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.usage[k.ID]++
	r.mu.Unlock()
	return &k, nil
}

// Revoke deletes a key and frees its name.
func (r *Registry) Revoke(ctx context.Context, k *Key) error {
	if err := r.ns.Delete(ctx, keyPrefix+k.ID); err != nil { // DEBATABLE kvsession
		return err
	}
	if err := r.ns.Delete(ctx, orgIndexPrefix(k.OrgID)+k.ID); err != nil {
		return err
	}
	if err := r.appendLog(ctx, k.OrgID, "revoked "+k.Name+" ("+k.ID[:12]+")"); err != nil {
		return err
	}
	return r.ns.Delete(ctx, nameKey(k.OrgID, k.Name))
}

// appendLog adds a line to the organisation's key activity log shown in the console.
func (r *Registry) appendLog(ctx context.Context, orgID, line string) error {
	key := logPrefix + orgID
	prev, err := r.ns.Get(ctx, key)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	entry := time.Now().UTC().Format(time.RFC3339) + " " + line + "\n"
	return r.ns.Put(ctx, key, append(prev, entry...), 0) // EXPECT kvrace
}

// Listing is one page of an organisation's keys for the console.
type Listing struct {
	Keys   []KeySummary `json:"keys"`
	Cursor string       `json:"cursor,omitempty"`
}

// KeySummary is what the console shows per key; it comes from metadata.
type KeySummary struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func summaries(orgID string, keys []kv.Key) []KeySummary {
	out := make([]KeySummary, 0, len(keys))
	for _, k := range keys {
		s := KeySummary{ID: strings.TrimPrefix(k.Name, orgIndexPrefix(orgID))}
		if m, ok := k.Metadata.(map[string]any); ok {
			s.Name, _ = m["name"].(string)
		}
		out = append(out, s)
	}
	return out
}

// List returns one console page of keys; the caller passes the cursor back.
func (r *Registry) List(ctx context.Context, orgID, cursor string) (Listing, error) {
	page, err := r.ns.ListPage(ctx, orgIndexPrefix(orgID), cursor, consolePage)
	if err != nil {
		return Listing{}, err
	}
	return Listing{Keys: summaries(orgID, page.Keys), Cursor: page.Cursor}, nil
}

// Preview returns the first few keys for the organisation overview card.
func (r *Registry) Preview(ctx context.Context, orgID string) ([]KeySummary, error) {
	page, err := r.ns.ListPage(ctx, orgIndexPrefix(orgID), "", previewCount) // EXPECT kvlimits
	if err != nil {
		return nil, err
	}
	return summaries(orgID, page.Keys), nil
}

// Export returns every key record of the account for the compliance report.
func (r *Registry) Export(ctx context.Context) ([]Key, error) {
	var out []Key
	cursor := ""
	for range maxExportPages {
		page, err := r.ns.ListPage(ctx, keyPrefix, cursor, exportPageSize) // EXPECT kvlimits
		if err != nil {
			return nil, err
		}
		for _, lk := range page.Keys {
			raw, err := r.ns.Get(ctx, lk.Name) // EXPECT kvlist
			if err != nil {
				return nil, err
			}
			var k Key
			if json.Unmarshal(raw, &k) == nil {
				out = append(out, k)
			}
		}
		if page.Cursor == "" {
			return out, nil
		}
		cursor = page.Cursor
	}
	return out, fmt.Errorf("export truncated after %d pages", maxExportPages)
}

// PurgeOrg removes the name claims of a deleted organisation.
func (r *Registry) PurgeOrg(ctx context.Context, orgID string) error {
	page, err := r.ns.ListPage(ctx, namePrefix+orgID+":", "", 1000) // EXPECT kvlist
	if err != nil {
		return err
	}
	names := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		names = append(names, k.Name)
	}
	if len(names) == 0 {
		return nil
	}
	return r.ns.BulkDelete(ctx, names)
}

func usageKey(id string, month time.Time) string {
	return usagePrefix + id + ":" + month.Format("2006-01")
}

// FlushUsage adds the calls counted since the last flush to each key's
// monthly total. The scheduler runs it once a minute.
func (r *Registry) FlushUsage(ctx context.Context) error {
	r.mu.Lock()
	pending := r.usage
	r.usage = make(map[string]int64, len(pending))
	r.mu.Unlock()

	month := time.Now().UTC()
	var errs []error
	for id, n := range pending {
		key := usageKey(id, month)
		var total int64
		raw, err := r.ns.Get(ctx, key)
		if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
			errs = append(errs, err)
			continue
		}
		if err == nil {
			total, _ = strconv.ParseInt(string(raw), 10, 64)
		}
		total += n
		if err := r.ns.Put(ctx, key, []byte(strconv.FormatInt(total, 10)), 40*24*time.Hour); err != nil { // EXPECT kvcounter|kvrace
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ImportRow is one key exported from the previous identity provider.
type ImportRow struct {
	SecretHash string
	OrgID      string
	Name       string
	Scopes     []string
	CreatedAt  time.Time
}

// Import loads keys migrated from the previous identity provider.
func (r *Registry) Import(ctx context.Context, rows []ImportRow) error {
	entries := make([]kvstore.Entry, 0, len(rows))
	for _, row := range rows {
		enc, err := json.Marshal(Key{ID: row.SecretHash, OrgID: row.OrgID, Name: row.Name, Scopes: row.Scopes, CreatedAt: row.CreatedAt, CreatedBy: "import"})
		if err != nil {
			return err
		}
		entries = append(entries, kvstore.Entry{
			Key:      keyPrefix + row.SecretHash,
			Value:    string(enc),
			Metadata: map[string]string{"org": row.OrgID, "name": row.Name},
		})
	}
	done := 0
	for batch := range slices.Chunk(entries, 20_000) { // EXPECT kvlimits
		failed, err := r.ns.BulkPut(ctx, batch)
		if err != nil {
			return err
		}
		done += len(batch) - len(failed)
		progress := fmt.Sprintf(`{"done":%d,"total":%d}`, done, len(entries))
		if err := r.ns.Put(ctx, "apikeys:import:progress", []byte(progress), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}
