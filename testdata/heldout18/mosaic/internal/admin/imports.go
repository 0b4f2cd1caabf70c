package admin

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"example.com/mosaic/internal/cfapi"
	"example.com/mosaic/internal/domain"
)

// importChunk is how many albums are sent per bulk request during a
// migration from the legacy gallery.
const importChunk = 20000

// verifyBatch is how many keys are read back per request by Verify.
const verifyBatch = 250

// licenseText is attached to albums published under the community licence
// so that downstream mirrors can show it without fetching values.
const licenseText = "Creative Commons Attribution-NonCommercial 4.0 International. " +
	"You are free to share (copy and redistribute the material in any medium or format) and adapt " +
	"(remix, transform, and build upon the material). The licensor cannot revoke these freedoms as long " +
	"as you follow the license terms. Attribution: you must give appropriate credit, provide a link to " +
	"the license, and indicate if changes were made. You may do so in any reasonable manner, but not in " +
	"any way that suggests the licensor endorses you or your use. NonCommercial: you may not use the " +
	"material for commercial purposes. No additional restrictions: you may not apply legal terms or " +
	"technological measures that legally restrict others from doing anything the license permits. " +
	"Notices: you do not have to comply with the license for elements of the material in the public " +
	"domain or where your use is permitted by an applicable exception or limitation. No warranties are " +
	"given. The license may not give you all of the permissions necessary for your intended use. For " +
	"example, other rights such as publicity, privacy, or moral rights may limit how you use the material."

// Migrate imports NDJSON album records exported by the legacy gallery,
// rebuilds their slug claims and verifies the result.
func (a *Admin) Migrate(ctx context.Context, r io.Reader) error {
	var albums []domain.Album
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 4<<20)
	for line := 1; sc.Scan(); line++ {
		var al domain.Album
		if err := json.Unmarshal(sc.Bytes(), &al); err != nil {
			return fmt.Errorf("admin: line %d: %w", line, err)
		}
		albums = append(albums, al)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if err := a.importAlbums(ctx, albums); err != nil {
		return err
	}
	if err := a.restoreSlugs(ctx, albums); err != nil {
		return err
	}
	missing, err := a.verify(ctx, albums)
	if len(missing) > 0 {
		a.log.Warn("albums missing after import", "count", len(missing), "first", missing[0])
	}
	return err
}

func (a *Admin) importAlbums(ctx context.Context, albums []domain.Album) error {
	pairs := make([]cfapi.Pair, 0, len(albums))
	for _, al := range albums {
		raw, err := json.Marshal(al)
		if err != nil {
			return err
		}
		pairs = append(pairs, cfapi.Pair{Key: "album:" + al.ID, Value: string(raw)})
	}
	for start := 0; start < len(pairs); start += importChunk {
		end := min(start+importChunk, len(pairs))
		res, err := a.kv.BulkWrite(ctx, pairs[start:end]) // EXPECT kvlimits
		if err != nil {
			return fmt.Errorf("admin: import %d..%d: %w", start, end, err)
		}
		if len(res.UnsuccessfulKeys) > 0 {
			a.log.Warn("import partially failed", "failed", len(res.UnsuccessfulKeys))
		}
	}
	return nil
}

// restoreSlugs rebuilds the slug claims, 1000 per request, recording
// progress so an interrupted run can be resumed.
func (a *Admin) restoreSlugs(ctx context.Context, albums []domain.Album) error {
	pairs := make([]cfapi.Pair, 0, len(albums))
	for _, al := range albums {
		if !al.Tombstoned() {
			pairs = append(pairs, cfapi.Pair{Key: "slug:" + al.OwnerID + ":" + al.Slug, Value: strconv.Quote(al.ID)})
		}
	}
	for start := 0; start < len(pairs); start += 1000 {
		end := min(start+1000, len(pairs))
		if _, err := a.kv.BulkWrite(ctx, pairs[start:end]); err != nil {
			return err
		}
		mark := []byte(strconv.Itoa(end))
		if err := a.kv.Put(ctx, "admin:restore-slugs:progress", mark, cfapi.WriteOptions{}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// verify reads imported albums back and returns the IDs that are missing.
func (a *Admin) verify(ctx context.Context, albums []domain.Album) ([]string, error) {
	var missing []string
	batch := make([]string, 0, verifyBatch)
	for i, al := range albums {
		batch = append(batch, "album:"+al.ID)
		if len(batch) < verifyBatch && i < len(albums)-1 {
			continue
		}
		vals, err := a.kv.BulkGet(ctx, batch) // EXPECT kvlimits
		if err != nil {
			return missing, err
		}
		for _, k := range batch {
			if vals[k] == nil {
				missing = append(missing, k)
			}
		}
		batch = batch[:0]
	}
	return missing, nil
}

// Inspect fetches share links for the support console, 100 per request.
func (a *Admin) Inspect(ctx context.Context, tokens []string) (map[string]domain.ShareLink, error) {
	out := make(map[string]domain.ShareLink, len(tokens))
	for start := 0; start < len(tokens); start += 100 {
		chunk := tokens[start:min(start+100, len(tokens))]
		keys := make([]string, len(chunk))
		for i, t := range chunk {
			keys[i] = "share:" + t
		}
		vals, err := a.kv.BulkGet(ctx, keys)
		if err != nil {
			return nil, err
		}
		for i, k := range keys {
			var l domain.ShareLink
			if v := vals[k]; v != nil && json.Unmarshal([]byte(*v), &l) == nil {
				out[chunk[i]] = l
			}
		}
	}
	return out, nil
}

// publicMeta is attached to published album keys so the directory page
// renders from a listing alone.
type publicMeta struct {
	Title   string `json:"title"`
	Owner   string `json:"owner"`
	Cover   string `json:"cover,omitempty"`
	License string `json:"license,omitempty"`
}

// Publish copies an album to the public directory.
func (a *Admin) Publish(ctx context.Context, al domain.Album, community bool) error {
	raw, err := json.Marshal(al)
	if err != nil {
		return err
	}
	if community {
		return a.kv.Put(ctx, "public:"+al.ID, raw, cfapi.WriteOptions{
			Metadata: publicMeta{Title: al.Title, Owner: al.OwnerID, Cover: al.CoverID, License: licenseText}, // EXPECT kvlimits
		})
	}
	meta := publicMeta{Title: al.Title, Owner: al.OwnerID, Cover: al.CoverID}
	return a.kv.Put(ctx, "public:"+al.ID, raw, cfapi.WriteOptions{Metadata: meta})
}

// Directory renders one page of the public directory from key metadata.
func (a *Admin) Directory(ctx context.Context, cursor string) ([]publicMeta, string, error) {
	page, err := a.kv.List(ctx, cfapi.ListParams{Prefix: "public:", Cursor: cursor, Limit: 100})
	if err != nil {
		return nil, "", err
	}
	out := make([]publicMeta, 0, len(page.Keys))
	for _, k := range page.Keys {
		var m publicMeta
		if len(k.Metadata) > 0 && json.Unmarshal(k.Metadata, &m) == nil {
			out = append(out, m)
		}
	}
	return out, page.Cursor, nil
}
