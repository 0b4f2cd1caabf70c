// Package builds publishes build manifests and their assets.
package builds

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"example.com/atlas/internal/audit"
	"example.com/atlas/internal/cfkv"
	"example.com/atlas/internal/config"
	"example.com/atlas/internal/consts"
	"example.com/atlas/internal/retry"
	"example.com/atlas/internal/storage"
)

// ErrNoManifest is returned for an unknown build.
var ErrNoManifest = errors.New("builds: manifest not found")

// Asset is one file of a build.
type Asset struct {
	Path        string `json:"path"`
	ContentType string `json:"content_type"`
	Body        []byte `json:"body"`
	Hash        string `json:"hash"`
}

// Manifest lists the files of one build of one site.
type Manifest struct {
	SiteID    string            `json:"site"`
	AccountID string            `json:"account"`
	BuildID   string            `json:"build"`
	Files     map[string]string `json:"files"`
	CreatedAt time.Time         `json:"created_at"`
	CreatedBy string            `json:"created_by"`
}

// Publisher writes builds to the content namespace.
type Publisher struct {
	ns    cfkv.Namespace
	store storage.Store
	audit *audit.Logger
	cfg   config.ManifestConfig
}

func NewPublisher(ns cfkv.Namespace, s storage.Store, a *audit.Logger, cfg config.ManifestConfig) *Publisher {
	return &Publisher{ns: ns, store: s, audit: a, cfg: cfg}
}

const (
	// smallSiteFiles is the size up to which assets are written one by one;
	// the single-value endpoint starts serving them sooner.
	smallSiteFiles = 200
	// assetBatch is how many assets go into one bulk request.
	assetBatch = 25000
)

// Publish uploads the assets of m and makes it the current build.
func (p *Publisher) Publish(ctx context.Context, m Manifest, assets []Asset) (err error) {
	defer func() {
		outcome := "published"
		if err != nil {
			outcome = "failed: " + err.Error()
		}
		_ = p.audit.AppendTrail(context.WithoutCancel(ctx), m.SiteID, fmt.Sprintf("build %s %s by %s", m.BuildID, outcome, m.CreatedBy))
	}()

	if err := p.chargeBuild(ctx, m.AccountID); err != nil {
		return err
	}
	if err := p.uploadAssets(ctx, m, assets); err != nil {
		return err
	}
	if err := p.writeManifest(ctx, m); err != nil {
		return err
	}
	if err := p.markPropagating(ctx, m); err != nil {
		return err
	}
	current := consts.PrefixBuild.Key(m.SiteID, "current")
	if _, err := p.ns.Client.KV.Namespaces.Values.Update(ctx, p.ns.ID, url.PathEscape(current), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(p.ns.AccountID),
		Value:     cloudflare.F(m.BuildID),
		Metadata:  cloudflare.F(fmt.Sprintf(`{"at":%d}`, time.Now().Unix())),
	}); err != nil {
		return fmt.Errorf("builds: set current: %w", err)
	}
	return p.appendHistory(ctx, m.SiteID, m.BuildID)
}

func (p *Publisher) uploadAssets(ctx context.Context, m Manifest, assets []Asset) error {
	if len(assets) <= smallSiteFiles {
		statusKey := url.PathEscape(consts.PrefixBuild.Key(m.SiteID, m.BuildID, "status"))
		for i, a := range assets {
			key := url.PathEscape(consts.PrefixAsset.Key(m.SiteID, a.Hash))
			if _, err := p.ns.Client.KV.Namespaces.Values.Update(ctx, p.ns.ID, key, kv.NamespaceValueUpdateParams{
				AccountID: cloudflare.F(p.ns.AccountID),
				Value:     cloudflare.F(string(a.Body)),
				Metadata:  cloudflare.F(fmt.Sprintf(`{"ct":%q}`, a.ContentType)),
			}); err != nil {
				return fmt.Errorf("builds: upload %s: %w", a.Path, err)
			}
			_, err := p.ns.Client.KV.Namespaces.Values.Update(ctx, p.ns.ID, statusKey, kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
				AccountID: cloudflare.F(p.ns.AccountID),
				Value:     cloudflare.F(fmt.Sprintf(`{"uploaded":%d,"total":%d}`, i+1, len(assets))),
				Metadata:  cloudflare.F("{}"),
			})
			if err != nil {
				return err
			}
		}
		return nil
	}

	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(assets))
	for _, a := range assets {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:      cloudflare.F(consts.PrefixAsset.Key(m.SiteID, a.Hash)),
			Value:    cloudflare.F(base64.StdEncoding.EncodeToString(a.Body)),
			Base64:   cloudflare.F(true),
			Metadata: cloudflare.F(map[string]interface{}{"ct": a.ContentType}),
		})
	}
	for start := 0; start < len(body); start += assetBatch {
		chunk := body[start:min(start+assetBatch, len(body))]
		if _, err := p.ns.Client.KV.Namespaces.Bulk.Update(ctx, p.ns.ID, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
			AccountID: cloudflare.F(p.ns.AccountID),
			Body:      chunk,
		}); err != nil {
			return fmt.Errorf("builds: bulk upload at %d: %w", start, err)
		}
	}
	return nil
}

func (p *Publisher) writeManifest(ctx context.Context, m Manifest) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	key := url.PathEscape(consts.PrefixManifest.Key(m.SiteID, m.BuildID))
	_, err = p.ns.Client.KV.Namespaces.Values.Update(ctx, p.ns.ID, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(p.ns.AccountID),
		Value:     cloudflare.F(string(b)),
		Metadata:  cloudflare.F(`{"csp":"` + defaultCSP + `"}`), // EXPECT kvlimits
	})
	return err
}

// markPropagating lets the edge show the "new version rolling out" notice
// while the new manifest reaches every location.
func (p *Publisher) markPropagating(ctx context.Context, m Manifest) error {
	_, err := p.ns.Client.KV.Namespaces.Bulk.Update(ctx, p.ns.ID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(p.ns.AccountID),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:        cloudflare.F(consts.PrefixBuild.Key(m.SiteID, "propagating")),
			Value:      cloudflare.F(m.BuildID),
			Expiration: cloudflare.F(float64(time.Now().Add(20 * time.Second).Unix())), // EXPECT kvttl
		}},
	})
	return err
}

// chargeBuild counts the build against the account's monthly allowance.
func (p *Publisher) chargeBuild(ctx context.Context, accountID string) error {
	key := url.PathEscape("quota:" + accountID + ":builds:" + time.Now().UTC().Format("2006-01"))
	var used int64
	res, err := p.ns.Client.KV.Namespaces.Values.Get(ctx, p.ns.ID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(p.ns.AccountID),
	})
	switch {
	case cfkv.IsNotFound(err):
	case err != nil:
		return err
	default:
		raw, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return err
		}
		if used, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
			return fmt.Errorf("builds: quota value %q: %w", raw, err)
		}
	}
	_, err = p.ns.Client.KV.Namespaces.Values.Update(ctx, p.ns.ID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID: cloudflare.F(p.ns.AccountID),
		Value:     cloudflare.F(strconv.FormatInt(used+1, 10)),
		Metadata:  cloudflare.F("{}"),
	})
	return err
}

func historyKey(siteID string) string { return consts.PrefixBuild.Key(siteID, "history") }

// appendHistory records buildID as the newest build of the site, keeping the
// configured number of entries.
func (p *Publisher) appendHistory(ctx context.Context, siteID, buildID string) error {
	pol := retry.Default
	pol.Retryable = cfkv.IsRetryable
	return retry.Do(ctx, pol, func() error {
		var history []string
		b, err := p.store.Get(ctx, historyKey(siteID))
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		if err == nil {
			if err := json.Unmarshal(b, &history); err != nil {
				return retry.Permanent{Err: err}
			}
		}
		history = append([]string{buildID}, slices.DeleteFunc(history, func(id string) bool { return id == buildID })...)
		if keep := p.cfg.HistoryKeep; keep > 0 && len(history) > keep {
			history = history[:keep]
		}
		out, _ := json.Marshal(history)
		return p.store.Put(ctx, historyKey(siteID), out, 0) // EXPECT kvrace
	})
}

// Manifest loads the manifest of one build.
func (p *Publisher) Manifest(ctx context.Context, siteID, buildID string) (Manifest, error) {
	key := url.PathEscape(consts.PrefixManifest.Key(siteID, buildID))
	res, err := p.ns.Client.KV.Namespaces.Values.Get(ctx, p.ns.ID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(p.ns.AccountID),
	})
	if err != nil {
		return Manifest{}, fmt.Errorf("builds: manifest %s/%s: %w", siteID, buildID, err)
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound { // EXPECT kvnull
		return Manifest{}, ErrNoManifest
	}
	var m Manifest
	if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
		return Manifest{}, err
	}
	return m, nil
}
