package deploy

import (
	"context"
	"fmt"
	"io/fs"
	"log"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"sunbird/internal/sitefs"
)

const (
	gcMaxPages = 20
	gcPageSize = 1000
)

// PurgeDeploy deletes every file of a deploy and its manifest.
func (u *Uploader) PurgeDeploy(ctx context.Context, site, id string) (int, error) {
	params := cloudflare.ListWorkersKVsParams{NamespaceID: u.KV.ID, Prefix: sitefs.Prefix(site, id), Limit: gcPageSize}
	var keys []string
	for {
		res, err := u.KV.API.ListWorkersKVKeys(ctx, u.KV.RC, params) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		for _, k := range res.Result {
			keys = append(keys, k.Name)
		}
		if res.ResultInfo.Cursor == "" {
			break
		}
		params = cloudflare.ListWorkersKVsParams{NamespaceID: u.KV.ID, Cursor: res.ResultInfo.Cursor, Limit: gcPageSize}
	}
	keys = append(keys, manifestKey(site, id))
	if err := u.KV.DeleteMany(ctx, keys); err != nil {
		return 0, err
	}
	return len(keys), nil
}

// SweepProgress removes progress markers left behind by finished uploads.
func (u *Uploader) SweepProgress(ctx context.Context) (int, error) {
	cursor := ""
	var stale []string
	for page := 0; page < gcMaxPages; page++ {
		res, err := u.KV.API.ListWorkersKVKeys(ctx, u.KV.RC, cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
			NamespaceID: u.KV.ID, Prefix: "deploys/", Cursor: cursor, Limit: gcPageSize,
		})
		if err != nil {
			return 0, err
		}
		if len(res.Result) == 0 {
			break
		}
		for _, k := range res.Result {
			if strings.HasSuffix(k.Name, "/progress") {
				stale = append(stale, k.Name)
			}
		}
		cursor = res.ResultInfo.Cursor
	}
	return len(stale), u.KV.DeleteMany(ctx, stale)
}

// ExpiringPreviews reports preview manifests that expire within the next
// day, so owners can be warned. It reads at most gcMaxPages pages and stops
// at the context's deadline.
func (u *Uploader) ExpiringPreviews(ctx context.Context, site string) ([]string, error) {
	soon := time.Now().Add(24 * time.Hour).Unix()
	var out []string
	cursor := ""
	for page := 0; page < gcMaxPages; page++ {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		res, err := u.KV.API.ListWorkersKVKeys(ctx, u.KV.RC, cloudflare.ListWorkersKVsParams{
			NamespaceID: u.KV.ID, Prefix: "manifests/" + site + "/", Cursor: cursor, Limit: gcPageSize,
		})
		if err != nil {
			return out, err
		}
		for _, k := range res.Result {
			if k.Expiration != 0 && int64(k.Expiration) < soon {
				out = append(out, strings.TrimPrefix(k.Name, "manifests/"+site+"/"))
			}
		}
		if res.ResultInfo.Cursor == "" {
			return out, nil
		}
		cursor = res.ResultInfo.Cursor
	}
	log.Printf("deploy: %s has more than %d pages of manifests", site, gcMaxPages)
	return out, nil
}

// AuditSizes compares manifest sizes with the stored metadata of the
// deploy's first page of files.
func (u *Uploader) AuditSizes(ctx context.Context, site, id string) ([]string, error) {
	m, ok, err := u.LoadManifest(ctx, site, id)
	if err != nil || !ok {
		return nil, err
	}
	res, err := u.KV.API.ListWorkersKVKeys(ctx, u.KV.RC, cloudflare.ListWorkersKVsParams{
		NamespaceID: u.KV.ID, Prefix: sitefs.Prefix(site, id), Limit: 5000, // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	var bad []string
	for _, k := range res.Result {
		name := strings.TrimPrefix(k.Name, sitefs.Prefix(site, id))
		meta, _ := k.Metadata.(map[string]any)
		size, _ := meta["size"].(float64)
		if fi, ok := m.Files[name]; ok && fi.Size != int64(size) {
			bad = append(bad, fmt.Sprintf("%s: manifest %d, stored %d", name, fi.Size, int64(size)))
		}
	}
	if res.ResultInfo.Cursor != "" {
		bad = append(bad, "(only the first page was checked)")
	}
	return bad, nil
}

// Verify walks the stored deploy and reports files that are not in its
// manifest (left over from an interrupted incremental upload).
func (u *Uploader) Verify(ctx context.Context, site, id string) ([]string, error) {
	m, ok, err := u.LoadManifest(ctx, site, id)
	if err != nil || !ok {
		return nil, err
	}
	sfs := &sitefs.FS{KV: u.KV, Site: site, Deploy: id, Ctx: ctx}
	var extra []string
	err = fs.WalkDir(sfs, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			if _, ok := m.Files[p]; !ok {
				extra = append(extra, p)
			}
		}
		return nil
	})
	return extra, err
}
