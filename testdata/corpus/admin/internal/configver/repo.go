// Package configver versions the runtime configuration that the Workers
// read from KV. Every commit is stored under an immutable version key;
// "config:active" is what the Workers load.
package configver

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/admin/internal/config"
	"example.com/admin/internal/keys"
)

const (
	seqKey     = "config:seq"
	currentKey = "config:current"
	activeKey  = "config:active"
	historyKey = "config:history"
	canaryKey  = "config:canary"
	stagedKey  = "config:staged"
)

// Repo stores configuration versions.
type Repo struct {
	client  *cloudflare.Client
	account string
	ns      string
}

// New returns a repository in the ops namespace.
func New(client *cloudflare.Client, accountID string) *Repo {
	return &Repo{client: client, account: accountID, ns: config.NSOps}
}

func (r *Repo) get(ctx context.Context, key string) ([]byte, bool, error) {
	res, err := r.client.KV.Namespaces.Values.Get(ctx, r.ns, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(r.account),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("config get %s: %w", key, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return b, err == nil, err
}

func (r *Repo) put(ctx context.Context, key string, value []byte, meta map[string]string) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(r.account),
		Value:     cloudflare.F(string(value)),
	}
	if meta != nil {
		params.Metadata = cloudflare.F[any](meta)
	}
	if _, err := r.client.KV.Namespaces.Values.Update(ctx, r.ns, key, params); err != nil {
		return fmt.Errorf("config put %s: %w", key, err)
	}
	return nil
}

func (r *Repo) nextSeq(ctx context.Context) (int, error) {
	raw, ok, err := r.get(ctx, seqKey)
	if err != nil {
		return 0, err
	}
	seq := 0
	if ok {
		if seq, err = strconv.Atoi(string(raw)); err != nil {
			return 0, fmt.Errorf("corrupt %s: %w", seqKey, err)
		}
	}
	seq++
	if err := r.put(ctx, seqKey, []byte(strconv.Itoa(seq)), nil); err != nil { // EXPECT kvcounter|kvrace
		return 0, err
	}
	return seq, nil
}

// Commit stores blob as a new version and makes it current. It returns the
// version name.
func (r *Repo) Commit(ctx context.Context, blob []byte, author string) (string, error) {
	if !json.Valid(blob) {
		return "", errors.New("config must be JSON")
	}
	seq, err := r.nextSeq(ctx)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(blob)
	version := fmt.Sprintf("%06d-%x", seq, sum[:4])

	parent, _, err := r.get(ctx, currentKey)
	if err != nil {
		return "", err
	}
	meta := map[string]string{
		"author":    author,
		"parent":    string(parent),
		"committed": time.Now().UTC().Format(time.RFC3339),
	}
	if err := r.put(ctx, keys.ConfigVersion(version), blob, meta); err != nil {
		return "", err
	}
	if err := r.put(ctx, currentKey, []byte(version), nil); err != nil {
		return "", err
	}
	return version, r.appendHistory(ctx, version)
}

func (r *Repo) appendHistory(ctx context.Context, version string) error {
	raw, ok, err := r.get(ctx, historyKey)
	if err != nil {
		return err
	}
	var hist []string
	if ok {
		if err := json.Unmarshal(raw, &hist); err != nil {
			return err
		}
	}
	hist = append(hist, version)
	if extra := len(hist) - config.ConfigKeepRecent; extra > 0 {
		hist = hist[extra:]
	}
	b, err := json.Marshal(hist)
	if err != nil {
		return err
	}
	_, err = r.client.KV.Namespaces.Values.Update(ctx, r.ns, historyKey, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(r.account),
		Value:     cloudflare.F(string(b)),
	})
	return err
}

// History lists the recent versions, oldest first.
func (r *Repo) History(ctx context.Context) ([]string, error) {
	raw, ok, err := r.get(ctx, historyKey)
	if err != nil || !ok {
		return nil, err
	}
	var hist []string
	return hist, json.Unmarshal(raw, &hist)
}

// Activate makes version the configuration the Workers load (also used to
// roll back).
func (r *Repo) Activate(ctx context.Context, version string) error {
	blob, ok, err := r.get(ctx, keys.ConfigVersion(version))
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("unknown version %s", version)
	}
	return r.put(ctx, activeKey, blob, map[string]string{"version": version})
}

// Canary exposes version to the canary Workers for the canary window.
func (r *Repo) Canary(ctx context.Context, version string) error {
	blob, ok, err := r.get(ctx, keys.ConfigVersion(version))
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("unknown version %s", version)
	}
	_, err = r.client.KV.Namespaces.Values.Update(ctx, r.ns, canaryKey, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(r.account),
		Value:         cloudflare.F(string(blob)),
		Metadata:      cloudflare.F[any](map[string]string{"version": version}),
		ExpirationTTL: cloudflare.F(float64(config.CanaryWindow)), // EXPECT kvttl
	})
	return err
}

// Stage offers version to the review UI until keep has passed.
func (r *Repo) Stage(ctx context.Context, version string, keep time.Duration) error {
	expires := time.Now().Add(keep)
	_, err := r.client.KV.Namespaces.Values.Update(ctx, r.ns, stagedKey, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(r.account),
		Value:      cloudflare.F(version),
		Expiration: cloudflare.F(float64(expires.UnixNano() / 1e6)), // EXPECT kvttl
	})
	return err
}

// Prune deletes every version that is neither recent nor active.
func (r *Repo) Prune(ctx context.Context, all []string) (int, error) {
	keep, err := r.History(ctx)
	if err != nil {
		return 0, err
	}
	var doomed []string
	for _, v := range all {
		if !slices.Contains(keep, v) {
			doomed = append(doomed, keys.ConfigVersion(v))
		}
	}
	for chunk := range slices.Chunk(doomed, config.BulkChunkSize) {
		if _, err := r.client.KV.Namespaces.BulkDelete(ctx, r.ns, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(r.account),
			Body:      chunk,
		}); err != nil {
			return 0, err
		}
	}
	return len(doomed), nil
}
