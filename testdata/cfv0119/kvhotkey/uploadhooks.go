package kvhotkey

import (
	"context"
	"io/fs"
	"path"
	"time"

	"example.com/libs/uploads"
	"github.com/cloudflare/cloudflare-go"
)

type uploadHooks struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

// Hooks the upload server calls on each upload, kept in its Config.
func (h *uploadHooks) handler() *uploads.Handler {
	return uploads.NewHandler(uploads.Config{
		BasePath:                "/files/",
		PreUploadCreateCallback: h.preCreate,
		OnFinished:              h.finished,
		Cleanup:                 h.cleanup,
	})
}

func (h *uploadHooks) preCreate(ev uploads.HookEvent) error { // want preCreate:"kvhotkey"
	_, err := h.api.WriteWorkersKVEntry(context.Background(), h.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: h.ns, Key: "stats/last-create", Value: []byte(time.Now().Format(time.RFC3339))}) // want `writes the same KV key`
	return err
}

// Quiet: each upload's own key.
func (h *uploadHooks) finished(ev uploads.HookEvent) {
	_, _ = h.api.WriteWorkersKVEntry(context.Background(), h.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: h.ns, Key: "upload/" + ev.ID + "/done", Value: []byte("1")})
}

// Quiet: run once, at shutdown.
func (h *uploadHooks) cleanup(reason string) error {
	_, err := h.api.WriteWorkersKVEntry(context.Background(), h.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: h.ns, Key: "stats/shutdown", Value: []byte(reason)})
	return err
}

// A walk of a site's files that writes the one redirects key for each
// _redirects file it visits.
func (h *uploadHooks) publishRedirects(ctx context.Context, fsys fs.FS, site string) error { // want publishRedirects:"kvhotkey"
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Base(p) != "_redirects" {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		_, err = h.api.WriteWorkersKVEntry(ctx, h.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: h.ns, Key: "redirects/" + site, Value: data}) // want `writes the same KV key`
		return err
	})
}

// Quiet: each file under its own key.
func (h *uploadHooks) publishAssets(ctx context.Context, fsys fs.FS, site string) error {
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		_, err = h.api.WriteWorkersKVEntry(ctx, h.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: h.ns, Key: "asset/" + site + "/" + p, Value: data})
		return err
	})
}

// Hooks that the program's main package sets in the upload server's
// Config: their signature is that of its hook fields.
type auditHooks struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

func (a *auditHooks) AfterCreate(ev uploads.HookEvent) error { // want AfterCreate:"kvhotkey"
	_, err := a.api.WriteWorkersKVEntry(context.Background(), a.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: a.ns, Key: "audit/last-upload", Value: []byte(ev.ID)}) // want `writes the same KV key`
	return err
}

// Quiet: no hook has this signature; it runs when the program calls it.
func (a *auditHooks) Describe(ev uploads.HookEvent, note string) error {
	_, err := a.api.WriteWorkersKVEntry(context.Background(), a.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: a.ns, Key: "audit/described", Value: []byte(note)})
	return err
}
