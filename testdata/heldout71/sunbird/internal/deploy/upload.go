// Package deploy uploads site builds into KV and manages their lifecycle:
// previews, promotion to live, history and cleanup.
package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"mime"
	"path"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"sunbird/internal/kvstore"
	"sunbird/internal/sitefs"
)

const (
	// previewLifetime is how long an unpromoted preview deploy is served.
	previewLifetime = 14 * 24 * time.Hour
	// previewGrace keeps the alias of a superseded preview resolvable for a while.
	previewGrace = 72 * time.Hour
	// batchSize is the number of files sent per bulk request.
	batchSize = 500
	// maxFileSize is KV's value limit.
	maxFileSize = 25 << 20
)

// attribution is attached to every deploy manifest so that the theme's
// license travels with the site.
const attribution = `This site was built with the Sunbird documentation theme. ` +
	`Copyright (c) The Sunbird Authors. Permission is hereby granted, free of charge, to any person obtaining a copy ` +
	`of this software and associated documentation files (the "Software"), to deal in the Software without restriction, ` +
	`including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell ` +
	`copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the following ` +
	`conditions: The above copyright notice and this permission notice shall be included in all copies or substantial ` +
	`portions of the Software. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, ` +
	`INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND ` +
	`NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER ` +
	`LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE ` +
	`SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE. Fonts are licensed under the SIL Open Font License 1.1.`

// Manifest describes one uploaded deploy.
type Manifest struct {
	Site      string              `json:"site"`
	ID        string              `json:"id"`
	Preview   bool                `json:"preview"`
	Created   time.Time           `json:"created"`
	Files     map[string]FileInfo `json:"files"`
	TotalSize int64               `json:"total_size"`
}

// FileInfo is a manifest entry.
type FileInfo struct {
	Size int64     `json:"size"`
	Mod  time.Time `json:"mod"`
	Type string    `json:"type"`
}

// Record is one line of a site's deploy history.
type Record struct {
	ID      string    `json:"id"`
	At      time.Time `json:"at"`
	Preview bool      `json:"preview"`
	Files   int       `json:"files"`
}

// Progress is what the dashboard polls while an upload runs.
type Progress struct {
	Done  int `json:"done"`
	Total int `json:"total"`
}

// Uploader copies a built site into KV.
type Uploader struct {
	KV *kvstore.Namespace
}

func manifestKey(site, id string) string { return "manifests/" + site + "/" + id }
func historyKey(site string) string      { return "sites/" + site + "/history" }

// Upload walks root (typically os.DirFS of the build output) and stores every
// regular file under the deploy's prefix.
func (u *Uploader) Upload(ctx context.Context, root fs.FS, site, id string, preview bool) (*Manifest, error) {
	m := &Manifest{Site: site, ID: id, Preview: preview, Created: time.Now().UTC(), Files: map[string]FileInfo{}}
	var names []string
	err := fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.Size() > maxFileSize {
			return fmt.Errorf("%s: %d bytes is larger than KV allows", p, info.Size())
		}
		m.Files[p] = FileInfo{Size: info.Size(), Mod: info.ModTime().UTC(), Type: mime.TypeByExtension(path.Ext(p))}
		m.TotalSize += info.Size()
		names = append(names, p)
		return nil
	})
	if err != nil {
		return nil, err
	}

	var expiration int
	if preview {
		expiration = int(time.Now().Add(previewLifetime).Unix())
	}
	progressKey := "deploys/" + site + "/" + id + "/progress"
	for start := 0; start < len(names); start += batchSize {
		batch := names[start:min(start+batchSize, len(names))]
		pairs := make([]*cloudflare.WorkersKVPair, 0, len(batch))
		for _, p := range batch {
			body, err := fs.ReadFile(root, p)
			if err != nil {
				return nil, err
			}
			fi := m.Files[p]
			pairs = append(pairs, &cloudflare.WorkersKVPair{
				Key:        sitefs.Prefix(site, id) + p,
				Value:      string(body),
				Base64:     false,
				Expiration: expiration,
				Metadata:   sitefs.FileMeta{Size: fi.Size, ModUnix: fi.Mod.Unix(), Type: fi.Type},
			})
		}
		if err := u.KV.PutMany(ctx, pairs); err != nil {
			return nil, fmt.Errorf("upload batch at %d: %w", start, err)
		}
		prog, _ := json.Marshal(Progress{Done: start + len(batch), Total: len(names)})
		if err := u.KV.Put(ctx, progressKey, prog, time.Hour); err != nil { // EXPECT kvhotkey
			log.Printf("deploy %s: progress: %v", id, err)
		}
	}

	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	if _, err := u.KV.API.WriteWorkersKVEntries(ctx, u.KV.RC, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: u.KV.ID,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:        manifestKey(site, id),
			Value:      string(raw),
			Expiration: expiration,
			Metadata:   map[string]string{"notice": attribution}, // EXPECT kvlimits
		}},
	}); err != nil {
		return nil, err
	}
	if err := u.appendHistory(ctx, site, Record{ID: id, At: m.Created, Preview: preview, Files: len(names)}); err != nil {
		return m, err
	}
	return m, nil
}

// appendHistory adds a record to the site's deploy history, newest first,
// keeping the last 50.
func (u *Uploader) appendHistory(ctx context.Context, site string, rec Record) error {
	var hist []Record
	raw, err := u.KV.Get(ctx, historyKey(site)) // EXPECT kvnull
	if err == nil {
		if err := json.Unmarshal(raw, &hist); err != nil {
			return err
		}
	}
	hist = append([]Record{rec}, hist...)
	if len(hist) > 50 {
		hist = hist[:50]
	}
	out, _ := json.Marshal(hist)
	if err := u.KV.Put(ctx, historyKey(site), out, 0); err != nil { // EXPECT kvrace
		return err
	}
	day := rec.At.Format("2006-01-02")
	return u.KV.Put(ctx, "stats/deploy-count/"+site+"/"+day, []byte(strconv.Itoa(countOn(hist, day))), 48*time.Hour) // EXPECT kvcounter
}

func countOn(hist []Record, day string) int {
	n := 0
	for _, r := range hist {
		if r.At.Format("2006-01-02") == day {
			n++
		}
	}
	return n
}

// History returns the site's deploy history.
func (u *Uploader) History(ctx context.Context, site string) ([]Record, error) {
	raw, err := u.KV.Get(ctx, historyKey(site))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var hist []Record
	return hist, json.Unmarshal(raw, &hist)
}

// LoadManifest reads a deploy's manifest.
func (u *Uploader) LoadManifest(ctx context.Context, site, id string) (*Manifest, bool, error) {
	raw, err := u.KV.Get(ctx, manifestKey(site, id))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, false, err
	}
	return &m, true, nil
}

// Promote points the site's live alias at a deploy. The previous live deploy
// stays reachable under its preview alias for previewGrace.
func (u *Uploader) Promote(ctx context.Context, site, id string) error {
	prev, err := u.KV.Get(ctx, "live/"+site)
	switch {
	case err == nil:
		if _, err := u.KV.API.WriteWorkersKVEntries(ctx, u.KV.RC, cloudflare.WriteWorkersKVEntriesParams{
			NamespaceID: u.KV.ID,
			KVs: []*cloudflare.WorkersKVPair{{
				Key:           "alias/" + site + "/previous",
				Value:         string(prev),
				ExpirationTTL: int(previewGrace), // EXPECT kvttl
			}},
		}); err != nil {
			return err
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	_, err = u.KV.API.WriteWorkersKVEntry(ctx, u.KV.RC, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: u.KV.ID, Key: "live/" + site, Value: []byte(id),
	})
	return err
}

// WriteBuildLog stores the build output shown next to a deploy for a week.
func (u *Uploader) WriteBuildLog(ctx context.Context, site, id string, log []byte) error {
	_, err := u.KV.API.WriteWorkersKVEntries(ctx, u.KV.RC, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: u.KV.ID,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:        "buildlogs/" + site + "/" + id,
			Value:      string(log),
			Expiration: int(time.Now().Add(7 * 24 * time.Hour).UnixMilli()), // EXPECT kvttl
		}},
	})
	return err
}
