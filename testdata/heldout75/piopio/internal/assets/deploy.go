// Package assets publishes the dashboard's static files to the KV namespace
// the Worker serves them from. Keys are the files' slash-separated paths.
package assets

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"mime"
	"path"

	"github.com/piopio/greenhouse/internal/kvrest"
	"github.com/piopio/greenhouse/internal/stream"
)

// Manifest lists every published file and its content hash.
type Manifest map[string]string

// Deploy writes every regular file of fsys, then the manifest.
func Deploy(ctx context.Context, ns *kvrest.Namespace, fsys fs.FS) (Manifest, error) {
	var paths []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			paths = append(paths, p)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	rt := stream.NewRuntime(ctx, 32)
	manifest := Manifest{}
	stream.To(stream.FromSlice(rt, paths), func(ctx context.Context, p string) error {
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		manifest[p] = hex.EncodeToString(sum[:8])
		return ns.Put(ctx, p, b, map[string]any{"type": mime.TypeByExtension(path.Ext(p)), "hash": manifest[p]})
	})
	if err := rt.Wait(); err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(manifest)
	return manifest, ns.Put(ctx, ".", raw, map[string]any{"type": "application/json"}) // EXPECT kvlimits
}
