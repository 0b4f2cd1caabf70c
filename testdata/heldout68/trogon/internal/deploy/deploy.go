// Package deploy publishes a site tree to KV: it walks the files, stores
// each one under a content-hashed key, writes the manifest the Worker
// serves from, and prunes assets no manifest points at any more.
package deploy

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"github.com/trogon-edge/trogon/internal/kvrest"
	"github.com/trogon-edge/trogon/internal/site"
)

// uploadBatch is how many assets go into one bulk request.
const uploadBatch = 20_000

// ErrLocked is returned when another deploy holds the site's lock.
var ErrLocked = errors.New("deploy: site is locked by another deploy")

// Deployer publishes one site.
type Deployer struct {
	Store  *kvrest.Store
	SiteID string
	Author string
	Out    io.Writer
}

// Bundle is a collected site tree, ready to upload.
type Bundle struct {
	Manifest site.Manifest
	Entries  []kv.NamespaceBulkUpdateParamsBody
	Bytes    int64
}

// NewDeployID returns a sortable, unique deploy ID.
func NewDeployID(now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:])
}

// Collect walks fsys and hashes every regular file. Dotfiles other than
// .well-known are skipped.
func (d *Deployer) Collect(fsys fs.FS, deployID string) (*Bundle, error) {
	b := &Bundle{Manifest: site.Manifest{DeployID: deployID, CreatedAt: time.Now().UTC(), Files: map[string]site.ManifestEntry{}}}
	err := fs.WalkDir(fsys, ".", func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := de.Name()
		if de.IsDir() {
			if p != "." && strings.HasPrefix(name, ".") && name != ".well-known" {
				return fs.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(name, ".") || name == "_redirects" {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		ext := path.Ext(p)
		key := site.AssetKey(d.SiteID, hex.EncodeToString(sum[:12]), ext)
		ctype := mime.TypeByExtension(ext)
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		b.Manifest.Files["/"+p] = site.ManifestEntry{Key: key, Size: int64(len(data)), ContentType: ctype}
		b.Entries = append(b.Entries, kv.NamespaceBulkUpdateParamsBody{
			Key:      cloudflare.F(key),
			Value:    cloudflare.F(encodeBase64(data)),
			Base64:   cloudflare.F(true),
			Metadata: cloudflare.F[any](map[string]any{"ct": ctype, "site": d.SiteID}),
		})
		b.Bytes += int64(len(data))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("collect: %w", err)
	}
	return b, nil
}

// Upload sends the bundle's assets in bulk and reports progress to the
// dashboard through the site's status key.
func (d *Deployer) Upload(ctx context.Context, b *Bundle) error {
	total, done := len(b.Entries), 0
	for chunk := range slices.Chunk(b.Entries, uploadBatch) {
		if err := d.Store.BulkPutBatch(ctx, chunk); err != nil { // EXPECT kvlimits
			return fmt.Errorf("upload after %d assets: %w", done, err)
		}
		done += len(chunk)
		msg := fmt.Sprintf("uploaded %d/%d assets", done, total)
		if err := d.Store.Put(ctx, site.StatusKey(d.SiteID), msg, time.Hour); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// UploadMissing re-sends assets whose keys the API reported as failed.
func (d *Deployer) UploadMissing(ctx context.Context, b *Bundle) error {
	failed, err := d.Store.BulkPut(ctx, b.Entries)
	if err != nil {
		return err
	}
	if len(failed) == 0 {
		return nil
	}
	retry := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(failed))
	want := make(map[string]bool, len(failed))
	for _, k := range failed {
		want[k] = true
	}
	for _, e := range b.Entries {
		if want[e.Key.Value] {
			retry = append(retry, e)
		}
	}
	_, err = d.Store.BulkPut(ctx, retry)
	return err
}

// Publish stores the manifest under its deploy ID and points the site at it.
func (d *Deployer) Publish(ctx context.Context, m site.Manifest) error {
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := d.Store.Put(ctx, site.ManifestKey(d.SiteID, m.DeployID), string(body), 0); err != nil {
		return err
	}
	if err := d.Store.Put(ctx, site.CurrentManifestKey(d.SiteID), string(body), 0); err != nil {
		return err
	}
	return d.Store.Put(ctx, site.StatusKey(d.SiteID), "published "+m.DeployID, 24*time.Hour)
}

// PublishPartial adds the files of an incremental deploy to the manifest
// that is live now, so untouched paths keep serving.
func (d *Deployer) PublishPartial(ctx context.Context, m site.Manifest) error {
	raw, err := d.Store.Get(ctx, site.CurrentManifestKey(d.SiteID))
	if err != nil {
		return fmt.Errorf("load live manifest: %w", err)
	}
	var live site.Manifest
	if err := json.Unmarshal(raw, &live); err != nil {
		return fmt.Errorf("decode live manifest: %w", err)
	}
	for p, e := range m.Files {
		live.Files[p] = e
	}
	live.DeployID = m.DeployID
	live.CreatedAt = m.CreatedAt
	body, err := json.Marshal(live)
	if err != nil {
		return err
	}
	if err := d.Store.Put(ctx, site.ManifestKey(d.SiteID, m.DeployID), string(body), 0); err != nil {
		return err
	}
	return d.Store.Put(ctx, site.CurrentManifestKey(d.SiteID), string(body), 0) // EXPECT kvrace
}

// Rollback points the site back at an earlier deploy's manifest.
func (d *Deployer) Rollback(ctx context.Context, deployID string) error {
	raw, err := d.Store.Get(ctx, site.ManifestKey(d.SiteID, deployID))
	if errors.Is(err, kvrest.ErrNotFound) {
		return fmt.Errorf("deploy %s of %s does not exist or has been pruned", deployID, d.SiteID)
	}
	if err != nil {
		return err
	}
	var m site.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("manifest %s: %w", deployID, err)
	}
	return d.Store.Put(ctx, site.CurrentManifestKey(d.SiteID), string(raw), 0)
}
