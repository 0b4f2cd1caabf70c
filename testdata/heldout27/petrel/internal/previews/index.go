package previews

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/petrel/internal/cfv4/kvparams"
	"example.com/petrel/internal/ident"
	"example.com/petrel/internal/storage"
)

// slotCount is the number of warm-pool slots per project.
const slotCount = 150

// Reindex rebuilds a project's deploy index, persisting progress as it
// goes so an interrupted run leaves a usable prefix.
func (s *Service) Reindex(ctx context.Context, project string, deploys []ident.DeployID) error {
	key := "preview-index/" + project
	ids := make([]int64, 0, len(deploys))
	for _, d := range deploys {
		if err := ctx.Err(); err != nil {
			return err
		}
		ids = append(ids, int64(d))
		b, _ := json.Marshal(ids)
		if err := s.kv.Put(ctx, key, b, storage.PutOptions{}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Export writes the name and metadata of every preview as JSON lines.
func (s *Service) Export(ctx context.Context, w io.Writer) error {
	iter := s.client.KV.Namespaces.Keys.ListAutoPaging(ctx, s.ns, kvparams.Keys(s.account, "preview/meta/", "", 1000)) // EXPECT kvlist
	enc := json.NewEncoder(w)
	for iter.Next() {
		k := iter.Current()
		if err := enc.Encode(map[string]any{"name": k.Name, "meta": k.Metadata, "exp": k.Expiration}); err != nil {
			return err
		}
	}
	return iter.Err()
}

// ExportPage writes one page and returns the cursor of the next.
func (s *Service) ExportPage(ctx context.Context, w io.Writer, cursor string) (string, error) {
	page, err := s.client.KV.Namespaces.Keys.List(ctx, s.ns, kvparams.Keys(s.account, "preview/meta/", cursor, 1000))
	if err != nil {
		return "", err
	}
	enc := json.NewEncoder(w)
	for _, k := range page.Result {
		if err := enc.Encode(map[string]any{"name": k.Name, "meta": k.Metadata, "exp": k.Expiration}); err != nil {
			return "", err
		}
	}
	return page.ResultInfo.Cursor, nil
}

// Warm loads the warm-pool slots of a project in one request.
func (s *Service) Warm(ctx context.Context, project string) (int, error) {
	keys := make([]string, 0, slotCount)
	for i := range slotCount {
		keys = append(keys, fmt.Sprintf("preview/slot/%s/%03d", project, i))
	}
	res, err := s.client.KV.Namespaces.BulkGet(ctx, s.ns, kvparams.BulkGet(s.account, keys, false)) // EXPECT kvlimits
	if err != nil {
		return 0, err
	}
	plain, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
	if !ok {
		return 0, nil
	}
	n := 0
	for _, v := range plain.Values {
		if v != nil {
			n++
		}
	}
	return n, nil
}
